package events_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func addEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	err := db.InTx(context.Background(), "test", func(tx *store.Tx) error {
		for range n {
			if err := tx.AddEvent(context.Background(), "test.event", "", nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// take reads sub until it has n events, failing if they do not come in
// order from next on.
func take(t *testing.T, sub *events.Sub, next int64, n int) {
	t.Helper()
	for end := next + int64(n); next < end; {
		select {
		case <-sub.Ready:
			evs, ok := sub.Take()
			if !ok {
				t.Fatalf("subscriber dropped at %d", next)
			}
			for _, e := range evs {
				if e.ID != next {
					t.Fatalf("event %d, want %d", e.ID, next)
				}
				next++
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the reading subscriber stalled at %d", next)
		}
	}
}

// A burst, however large, drops no subscriber; one whose oldest event has
// waited MaxLag is dropped, and the one that reads gets every event, in
// order, all the same.
func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		h := events.NewHub(db, slog.New(slog.DiscardHandler))
		t.Cleanup(h.Close)
		var clock atomic.Int64
		h.SetClock(func() time.Time { return time.Unix(0, clock.Load()) })
		ctx := context.Background()
		slow, err := h.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fast, _ := h.Subscribe(ctx)
		const burst = 3000
		addEvents(t, db, burst)
		take(t, fast, fast.From+1, burst)
		if n := h.Clients(); n != 2 {
			t.Fatalf("%d clients after a burst of %d: a burst dropped a subscriber", n, burst)
		}
		clock.Add(int64(events.MaxLag))
		addEvents(t, db, 1)
		take(t, fast, fast.From+burst+1, 1)
		if n := h.Clients(); n != 1 {
			t.Fatalf("%d clients, want 1: the subscriber that lagged %s stayed", n, events.MaxLag)
		}
		if _, ok := slow.Take(); ok {
			t.Fatal("the dropped subscriber can still take events")
		}
	})
}

// Another replica's commit reaches a subscriber here: at once through
// NOTIFY on PostgreSQL, through the poll on either engine.
func TestOtherReplicasEventsArrive(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		here, there := storetest.Open(t, dbURL), storetest.Open(t, dbURL)
		events.NewHub(there, slog.New(slog.DiscardHandler)) // sends NOTIFY for there's commits
		h := events.NewHub(here, slog.New(slog.DiscardHandler))
		t.Cleanup(h.Close)
		sub, err := h.Subscribe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		addEvents(t, there, 1)
		take(t, sub, sub.From+1, 1)
	})
}
