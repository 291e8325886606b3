package sessioncache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// On PostgreSQL other replicas write, so a replica's cache learns of their
// writes by notification (LISTEN/NOTIFY): each transaction that changes
// devices notifies their uuids, inside the transaction, and every replica
// forgets them. A notification arrives after the commit, though, so a
// replica also needs to know it has heard every write committed before a
// poll arrived. It pings itself on the same channel: PostgreSQL delivers
// notifications in commit order, so once the ping is back, every write
// committed before the ping was sent has been forgotten. That is a barrier.
//
// A barrier per poll would cost the round trip the cache saves. Instead a
// replica serves a cached session only while its last barrier was sent
// less than freshFor ago, and a transaction that changed devices returns
// only once no replica can still serve from a barrier sent before its
// commit. Only durations are compared, each on one machine's monotonic
// clock. A replica under poll load pings every refreshAfter; one whose
// barrier is older (idle, or the database slow) waits for a barrier sent
// after the poll arrived, shared by every poll waiting, before it serves
// from cache.
//
// How long the writer waits (AfterCommit) rests on two rules; it returns
// as soon as either holds, and at the latest CommitWait after its commit.
//   - CommitWait after the commit, a barrier that another replica B sent
//     before it is older than freshFor: a poll that arrives after the
//     write returned is answered from a barrier sent after the commit,
//     whose ping commits after the write, so B has forgotten the write.
//   - Once a barrier of its own, sent after the commit, is back, and
//     CommitWait has passed since it received the latest ping of another
//     replica and since it began listening. A barrier of B committed
//     before the write reaches this replica before its own barrier
//     (commit order), so it was received by then, after B sent it; or it
//     committed before this replica began to listen, so it was sent before
//     then. Either way it was sent more than CommitWait before the write
//     returns, too old for B to serve from. B's barriers committed after
//     the write reach B after the write's notification. Alone, a replica
//     hears no other pings: its writes wait one barrier, not CommitWait.

// CommitWait bounds how long a transaction that changed devices' keys,
// existence or target states waits after its commit on PostgreSQL.
const CommitWait = 25 * time.Millisecond

const (
	freshFor       = CommitWait * 4 / 5 // the rest is margin for clocks' rates and scheduling
	refreshAfter   = CommitWait / 4
	barrierTimeout = time.Second // past it, a poll reads the database
	maxListed      = 10_000      // devices a transaction names; past it, every replica forgets all
	maxPayload     = 7_900       // PostgreSQL refuses payloads of 8,000 bytes
)

// Shared is the cache of a replica whose database other replicas write.
type Shared struct {
	*Cache
	ping      func(ctx context.Context, payload string) error
	token     string    // prefix of this replica's pings
	epoch     time.Time // of the monotonic times below
	listening atomic.Bool
	since     atomic.Int64 // when the listener last began listening
	fresh     atomic.Int64 // when the last barrier completed was sent; 0: none since listening
	foreign   atomic.Int64 // when the latest ping of another replica was received

	mu      sync.Mutex
	flight  *flight // the barrier in flight
	next    uint64
	started atomic.Bool
	stop    context.CancelFunc // of Start's listener
	done    chan struct{}
	closed  bool
}

type flight struct {
	id   uint64
	sent int64
	done chan struct{}
}

// NewShared returns an empty cache whose barriers send payload with ping
// on the channel its listener hears.
func NewShared(ping func(ctx context.Context, payload string) error) *Shared {
	b := make([]byte, 8)
	rand.Read(b)
	return &Shared{Cache: New(), ping: ping, token: "p:" + hex.EncodeToString(b) + ":", epoch: time.Now().Add(-time.Hour)}
}

func (s *Shared) now() int64 { return int64(time.Since(s.epoch)) }

// Serve returns the cached session of a key hash when it may be served:
// while listening, and after a barrier sent within freshFor, or sent after
// the call began (waiting for one, shared with other polls, if need be).
func (s *Shared) Serve(ctx context.Context, hash string) (airlock.DeviceSession, bool) {
	if !s.listening.Load() {
		return airlock.DeviceSession{}, false
	}
	switch age := s.now() - s.fresh.Load(); {
	case age < int64(refreshAfter):
	case age < int64(freshFor):
		s.start() // ahead of need, without waiting
	default:
		if _, ok := s.Get(hash); !ok || !s.await(ctx) {
			return airlock.DeviceSession{}, false
		}
	}
	return s.Get(hash) // after the freshness check: what it vouches for is forgotten by now
}

// await waits for a barrier sent after it was called.
func (s *Shared) await(ctx context.Context) bool {
	arrived := s.now()
	timeout := time.NewTimer(barrierTimeout)
	defer timeout.Stop()
	for s.listening.Load() {
		select {
		case <-s.start().done:
		case <-ctx.Done():
			return false
		case <-timeout.C:
			return false
		}
		if s.fresh.Load() >= arrived {
			return true
		}
	}
	return false
}

// AfterCommit waits, once a transaction that changed devices committed,
// until no replica can serve a session it changed from a barrier sent
// before the commit. ctx bounds only the wait for a barrier.
func (s *Shared) AfterCommit(ctx context.Context) {
	deadline := s.now() + int64(CommitWait)
	if s.listening.Load() {
		ctx, cancel := context.WithTimeout(ctx, CommitWait)
		if s.await(ctx) {
			deadline = min(deadline, max(s.foreign.Load(), s.since.Load())+int64(CommitWait))
		}
		cancel()
	}
	time.Sleep(time.Duration(deadline - s.now()))
}

// start sends a barrier unless one is in flight, and returns the one in
// flight. One that has not come back within barrierTimeout is given up.
func (s *Shared) start() *flight {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flight; f != nil && s.now()-f.sent < int64(barrierTimeout) {
		return f
	}
	s.land(s.flight, false)
	s.next++
	f := &flight{id: s.next, sent: s.now(), done: make(chan struct{})}
	s.flight = f
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), barrierTimeout)
		defer cancel()
		if s.ping(ctx, s.token+strconv.FormatUint(f.id, 10)) != nil {
			s.mu.Lock()
			s.land(f, false)
			s.mu.Unlock()
		}
	}()
	return f
}

// land ends flight f, if still in flight; s.mu is held.
func (s *Shared) land(f *flight, back bool) {
	if f == nil || s.flight != f {
		return
	}
	if back && f.sent > s.fresh.Load() {
		s.fresh.Store(f.sent)
	}
	s.flight = nil
	close(f.done)
}

// Payloads are the notifications telling every replica that a transaction
// changed the devices uuids (all of them when all is set).
func Payloads(uuids []string, all bool) []string {
	if !all && len(uuids) == 0 {
		return nil
	}
	if all || len(uuids) > maxListed {
		return []string{"*"}
	}
	var out []string
	var b strings.Builder
	for _, u := range uuids {
		if b.Len() > 0 && b.Len()+1+len(u) > maxPayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString("i:")
		} else {
			b.WriteByte(',')
		}
		b.WriteString(u)
	}
	return append(out, b.String())
}

// notified applies one notification, in the order they were committed.
func (s *Shared) notified(payload string) {
	switch {
	case payload == "*":
		s.Invalidate(nil)
	case strings.HasPrefix(payload, "i:"):
		s.Invalidate(strings.Split(payload[2:], ","))
	case strings.HasPrefix(payload, s.token):
		id, _ := strconv.ParseUint(payload[len(s.token):], 10, 64)
		s.mu.Lock()
		if s.flight != nil && s.flight.id == id {
			s.land(s.flight, true)
		}
		s.mu.Unlock()
	case strings.HasPrefix(payload, "p:"):
		s.foreign.Store(s.now())
	}
}
