// Package sessioncache caches what a device key proves (store's
// DeviceByKey), so that the fleet's polls, most of them answered 304, need
// no read at all. On SQLite the database belongs to one process, which
// sees every write. On PostgreSQL other replicas write too: see Shared.
//
// A write is forgotten device by device: a transaction that changes some
// devices' keys, existence or target states drops only their sessions once
// it commits, so a rollout writing ten devices leaves the rest of the
// fleet's polls cached. A lookup takes a Mark before it reads the database;
// its Put is refused when a write to its device committed since, so an
// entry filled from a read that raced a write is never served after it.
package sessioncache

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Max bounds the cache; past it, a fill drops a session at random. A write
// to more devices than a quarter of it empties the cache rather than visit
// each.
const Max = 500_000

// Cache is the session cache of one database.
type Cache struct {
	writes atomic.Uint64 // writes committed, ever: what Mark reads

	mu    sync.RWMutex
	byKey map[string]airlock.DeviceSession // key hash → session
	keyOf map[string]string                // uuid → key hash
	wrote map[string]uint64                // uuid → writes when its last write committed
	floor uint64                           // fills marked before it are refused: wrote was cleared then
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{byKey: map[string]airlock.DeviceSession{}, keyOf: map[string]string{}, wrote: map[string]uint64{}}
}

// Get returns the session of a key hash, if cached.
func (c *Cache) Get(hash string) (airlock.DeviceSession, bool) {
	c.mu.RLock()
	s, ok := c.byKey[hash]
	c.mu.RUnlock()
	return s, ok
}

// Mark is taken before the database read whose result goes to Put.
func (c *Cache) Mark() uint64 { return c.writes.Load() }

// Put caches s under its key hash unless a write to its device committed
// since mark.
func (c *Cache) Put(hash string, s airlock.DeviceSession, mark uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if mark < c.floor || c.wrote[s.UUID] > mark {
		return
	}
	if len(c.byKey) >= Max {
		for h, old := range c.byKey { // a random entry: a fleet larger than Max keeps Max of its sessions
			delete(c.byKey, h)
			delete(c.keyOf, old.UUID)
			break
		}
	}
	c.byKey[hash] = s
	c.keyOf[s.UUID] = hash
}

// Invalidate drops the sessions of uuids once their write has committed
// (or failed to: a failed commit may still have written). No uuids means
// every device.
func (c *Cache) Invalidate(uuids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.writes.Add(1)
	if len(uuids) == 0 || len(uuids) > Max/4 {
		clear(c.byKey)
		clear(c.keyOf)
		clear(c.wrote)
		c.floor = n
		return
	}
	if len(c.wrote)+len(uuids) > Max {
		// Forget the older writes, and refuse every fill marked before
		// now instead: the sessions cached stay, as a large rollout's
		// writes pass through.
		clear(c.wrote)
		c.floor = n
	}
	for _, u := range uuids {
		if h, ok := c.keyOf[u]; ok {
			delete(c.byKey, h)
			delete(c.keyOf, u)
		}
		c.wrote[u] = n
	}
}

// Seen records sightings written to the database in the cached sessions,
// so that the next polls do not ask for the same write again.
func (c *Cache) Seen(uuids []string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range uuids {
		if s, ok := c.byKey[c.keyOf[u]]; ok && s.UUID == u {
			s.LastSeenAt = &at
			c.byKey[c.keyOf[u]] = s
		}
	}
}
