package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// sessions caches what a device key proves (DeviceByKey), so that the
// fleet's polls, most of them answered 304, need no read at all. It is used
// on SQLite only: there the database belongs to one process, which sees
// every write. On PostgreSQL other replicas write too, and the indexed read
// stays.
//
// Every transaction that changes a device's key, existence or target state
// bumps the generation after it commits; an entry is good only for the
// generation read before the lookup that filled it, so an entry filled from
// a read that raced a write is never served after that write's bump.
type sessions struct {
	gen   atomic.Uint64
	mu    sync.RWMutex
	byKey map[string]cachedSession // key hash → session
	keyOf map[string]string        // uuid → key hash, to note sightings
}

type cachedSession struct {
	sess airlock.DeviceSession
	gen  uint64
}

// maxSessions bounds the cache; past it, it starts over.
const maxSessions = 500_000

func newSessions() *sessions {
	return &sessions{byKey: map[string]cachedSession{}, keyOf: map[string]string{}}
}

func (c *sessions) get(hash string) (airlock.DeviceSession, bool) {
	c.mu.RLock()
	e, ok := c.byKey[hash]
	c.mu.RUnlock()
	return e.sess, ok && e.gen == c.gen.Load()
}

func (c *sessions) put(hash string, s airlock.DeviceSession, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= maxSessions {
		clear(c.byKey)
		clear(c.keyOf)
	}
	c.byKey[hash] = cachedSession{s, gen}
	c.keyOf[s.UUID] = hash
}

// invalidate makes every entry stale; it runs after a device write commits.
func (c *sessions) invalidate() { c.gen.Add(1) }

// seen records sightings written to the database in the cached sessions,
// so that the next polls do not ask for the same write again.
func (c *sessions) seen(uuids []string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range uuids {
		if e, ok := c.byKey[c.keyOf[u]]; ok && e.sess.UUID == u {
			e.sess.LastSeenAt = &at
			c.byKey[c.keyOf[u]] = e
		}
	}
}
