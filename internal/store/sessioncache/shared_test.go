package sessioncache_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/sessioncache"
)

// TestPayloadsFitANotification: uuids are split across notifications
// under PostgreSQL's 8,000-byte limit, each listed once; too many, or all,
// is "*".
func TestPayloadsFitANotification(t *testing.T) {
	var uuids []string
	for i := range 1000 {
		uuids = append(uuids, fmt.Sprintf("%08d-0000-4000-8000-000000000000", i))
	}
	var got []string
	for _, p := range sessioncache.Payloads(uuids, false) {
		if len(p) >= 8000 || !strings.HasPrefix(p, "i:") {
			t.Fatalf("payload of %d bytes: %.20s…", len(p), p)
		}
		got = append(got, strings.Split(p[2:], ",")...)
	}
	if strings.Join(got, ",") != strings.Join(uuids, ",") {
		t.Fatalf("%d uuids came out of %d", len(got), len(uuids))
	}
	if p := sessioncache.Payloads(uuids[:1], true); len(p) != 1 || p[0] != "*" {
		t.Fatalf("all devices: %q", p)
	}
	if p := sessioncache.Payloads(make([]string, 10_001), false); len(p) != 1 || p[0] != "*" {
		t.Fatalf("10,001 devices: %d payloads", len(p))
	}
}

// wire is a fake notification channel: what is sent is heard, in order,
// while it listens.
type wire struct {
	mu    sync.Mutex
	notes chan string
}

func (w *wire) send(_ context.Context, payload string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.notes == nil {
		return fmt.Errorf("not connected")
	}
	w.notes <- payload
	return nil
}

func (w *wire) listen(ctx context.Context, ready func(), note func(string)) error {
	notes := make(chan string, 100)
	w.mu.Lock()
	w.notes = notes
	w.mu.Unlock()
	ready()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case p := <-notes:
			note(p)
		}
	}
}

// TestSharedServesAfterABarrier: an entry is served once the replica
// listens and its ping came back; a notification forgets it, before the
// barrier that follows it completes.
func TestSharedServesAfterABarrier(t *testing.T) {
	w := &wire{}
	c := sessioncache.NewShared(w.send)
	ctx := context.Background()
	s := airlock.DeviceSession{UUID: "d1", Version: 3}
	c.Put("h1", s, c.Mark())
	if _, ok := c.Serve(ctx, "h1"); ok {
		t.Fatal("served before listening")
	}
	c.Start(w.listen)
	defer c.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.Put("h1", s, c.Mark())
		if got, ok := c.Serve(ctx, "h1"); ok && got == s {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never served once listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.send(ctx, "i:d0,d1")
	time.Sleep(sessioncache.CommitWait) // what a writer waits
	if _, ok := c.Serve(ctx, "h1"); ok {
		t.Fatal("served after its device's notification and the commit wait")
	}
}
