package events_test

import (
	"context"
	"log/slog"
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

// A subscriber that does not read is dropped once its buffer is full; the
// one that reads gets every event, in order, all the same.
func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		h := events.NewHub(db, slog.New(slog.DiscardHandler))
		t.Cleanup(h.Close)
		ctx := context.Background()
		slow, err := h.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fast, _ := h.Subscribe(ctx)
		n := events.Buffer + 100
		addEvents(t, db, n)
		next := fast.From + 1
		for next <= fast.From+int64(n) {
			select {
			case e := <-fast.C:
				if e.ID != next {
					t.Fatalf("event %d, want %d", e.ID, next)
				}
				next++
			case <-time.After(10 * time.Second):
				t.Fatalf("the reading subscriber stalled at %d", next)
			}
		}
		got := 0
		for range slow.C { // drains what it was given, then finds the channel closed
			got++
		}
		if got >= n || h.Clients() != 1 {
			t.Fatalf("slow subscriber got %d of %d; %d clients left", got, n, h.Clients())
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
		select {
		case e := <-sub.C:
			if e.ID != sub.From+1 {
				t.Fatalf("event %d after %d", e.ID, sub.From)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("another replica's event never arrived")
		}
	})
}
