package sessioncache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/sessioncache"
)

// listening returns a cache listening on w, past the CommitWait a replica
// that just began to listen waits.
func listening(t *testing.T, w *wire) *sessioncache.Shared {
	t.Helper()
	c := sessioncache.NewShared(w.send)
	c.Start(w.listen)
	t.Cleanup(c.Stop)
	s := airlock.DeviceSession{UUID: "d1", Version: 1}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		c.Put("h1", s, c.Mark())
		if _, ok := c.Serve(context.Background(), "h1"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never listened")
		}
	}
	time.Sleep(sessioncache.CommitWait)
	return c
}

// afterCommit is how long AfterCommit took.
func afterCommit(c *sessioncache.Shared) time.Duration {
	start := time.Now()
	c.AfterCommit(context.Background())
	return time.Since(start)
}

// TestAfterCommitAloneWaitsOneBarrier: a replica that hears no other
// replica's pings returns once its own barrier is back, well before
// CommitWait; other notifications do not hold it.
func TestAfterCommitAloneWaitsOneBarrier(t *testing.T) {
	w := &wire{}
	c := listening(t, w)
	w.send(context.Background(), "i:d1")
	w.send(context.Background(), "*")
	best := sessioncache.CommitWait
	for range 5 { // the fastest of a few: the machine is noisy
		best = min(best, afterCommit(c))
	}
	if best >= sessioncache.CommitWait {
		t.Fatalf("took %v, as long as CommitWait", best)
	}
}

// TestAfterCommitWaitsOutAForeignPing: another replica's ping received
// just before holds the write until CommitWait after its receipt.
func TestAfterCommitWaitsOutAForeignPing(t *testing.T) {
	w := &wire{}
	c := listening(t, w)
	for _, age := range []time.Duration{0, sessioncache.CommitWait / 2} {
		sent := time.Now()
		w.send(context.Background(), "p:0123456789abcdef:7")
		time.Sleep(age)
		c.AfterCommit(context.Background())
		if since := time.Since(sent); since < sessioncache.CommitWait {
			t.Fatalf("ping %v old: returned %v after it, want ≥ %v", age, since, sessioncache.CommitWait)
		}
	}
}

// TestAfterCommitNotListening: a replica that does not listen, has only
// just begun to, or whose barriers fail, waits CommitWait.
func TestAfterCommitNotListening(t *testing.T) {
	if d := afterCommit(sessioncache.NewShared((&wire{}).send)); d < sessioncache.CommitWait {
		t.Fatalf("not listening: took %v", d)
	}

	w := &wire{}
	c := sessioncache.NewShared(w.send)
	defer c.Stop()
	began := make(chan time.Time, 1)
	c.Start(func(ctx context.Context, ready func(), note func(string)) error {
		return w.listen(ctx, func() {
			began <- time.Now()
			ready()
		}, note)
	})
	start := <-began
	c.AfterCommit(context.Background())
	if d := time.Since(start); d < sessioncache.CommitWait {
		t.Fatalf("just began to listen: returned %v after", d)
	}

	failing := sessioncache.NewShared(func(context.Context, string) error { return errors.New("refused") })
	defer failing.Stop()
	ready := make(chan struct{})
	failing.Start(func(ctx context.Context, r func(), _ func(string)) error {
		r()
		close(ready)
		<-ctx.Done()
		return ctx.Err()
	})
	<-ready
	time.Sleep(sessioncache.CommitWait)
	if d := afterCommit(failing); d < sessioncache.CommitWait {
		t.Fatalf("barriers failing: took %v", d)
	}
}
