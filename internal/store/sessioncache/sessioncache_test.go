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
