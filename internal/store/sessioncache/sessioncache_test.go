package sessioncache_test

import (
	"fmt"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/sessioncache"
)

func TestInvalidateIsPerDevice(t *testing.T) {
	c := sessioncache.New()
	for i := range 3 {
		c.Put(fmt.Sprint("h", i), airlock.DeviceSession{UUID: fmt.Sprint("d", i), Version: 1}, c.Mark())
	}
	c.Invalidate([]string{"d1"})
	if _, ok := c.Get("h1"); ok {
		t.Fatal("d1 was written and is still cached")
	}
	for _, h := range []string{"h0", "h2"} {
		if _, ok := c.Get(h); !ok {
			t.Fatalf("%s dropped by a write to d1", h)
		}
	}
	c.Invalidate(nil)
	if _, ok := c.Get("h0"); ok {
		t.Fatal("a write to every device left d0 cached")
	}
}

// TestAFillThatRacedAWriteIsRefused: a lookup that read the database before
// a write to its device committed must not cache what it read.
func TestAFillThatRacedAWriteIsRefused(t *testing.T) {
	c := sessioncache.New()
	mark := c.Mark() // the lookup starts, reads version 1…
	c.Invalidate([]string{"d1"})
	c.Put("h1", airlock.DeviceSession{UUID: "d1", Version: 1}, mark)
	if _, ok := c.Get("h1"); ok {
		t.Fatal("a session read before a write to its device was cached after it")
	}
	c.Put("h2", airlock.DeviceSession{UUID: "d2", Version: 1}, mark)
	if _, ok := c.Get("h2"); !ok {
		t.Fatal("a write to d1 refused a fill of d2")
	}
	mark = c.Mark()
	c.Invalidate(nil)
	c.Put("h2", airlock.DeviceSession{UUID: "d2", Version: 1}, mark)
	if _, ok := c.Get("h2"); ok {
		t.Fatal("a fill that raced a write to every device was cached")
	}
}

// TestFullCacheDropsOneSession: a fleet larger than Max keeps Max of its
// sessions cached, not none.
func TestFullCacheDropsOneSession(t *testing.T) {
	c := sessioncache.New()
	for i := range sessioncache.Max + 1 {
		c.Put(fmt.Sprint("h", i), airlock.DeviceSession{UUID: fmt.Sprint("d", i)}, c.Mark())
	}
	if _, ok := c.Get(fmt.Sprint("h", sessioncache.Max)); !ok {
		t.Fatal("the session filled last is not cached")
	}
	if n := cached(c, sessioncache.Max+1); n != sessioncache.Max {
		t.Fatalf("%d sessions cached, want %d", n, sessioncache.Max)
	}
}

// TestLargeRolloutKeepsOtherSessions: writes to more devices than Max, a
// chunk at a time as a rollout's planner writes them, drop only those
// devices' sessions, and a fill that raced them is still refused.
func TestLargeRolloutKeepsOtherSessions(t *testing.T) {
	c := sessioncache.New()
	for i := range 100 {
		c.Put(fmt.Sprint("h", i), airlock.DeviceSession{UUID: fmt.Sprint("d", i)}, c.Mark())
	}
	raced := c.Mark() // a lookup of d-racing starts, then a large rollout writes it among others
	chunk := make([]string, 5000)
	for from := 0; from <= sessioncache.Max; from += len(chunk) {
		for i := range chunk {
			chunk[i] = fmt.Sprint("w", from+i)
		}
		chunk[0] = "d-racing"
		c.Invalidate(chunk)
	}
	c.Put("h-racing", airlock.DeviceSession{UUID: "d-racing"}, raced)
	if _, ok := c.Get("h-racing"); ok {
		t.Fatal("a fill that raced the rollout's write was cached")
	}
	if n := cached(c, 100); n != 100 {
		t.Fatalf("%d of the 100 sessions no write touched are cached", n)
	}
}

// cached counts the sessions h0…h(n-1) in c.
func cached(c *sessioncache.Cache, n int) int {
	hits := 0
	for i := range n {
		if _, ok := c.Get(fmt.Sprint("h", i)); ok {
			hits++
		}
	}
	return hits
}
