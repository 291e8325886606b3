package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func ids(evs []airlock.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestEventReads(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.AddEvents(t, db, [2]string{"image.rollout_created", "rollout/1"}, [2]string{"image.tag.added", "image/1/tag/1"},
			[2]string{"image.rollout_completed", "rollout/1"}, [2]string{"imageXrollout_x", "rollout/2"},
			[2]string{"device.provisioned", "device/a"})
		if last, err := db.LastEventID(ctx); err != nil || last != 5 {
			t.Fatalf("last event id %d, %v", last, err)
		}
		evs, _ := db.EventsAfter(ctx, 0, 1)
		if e := evs[0]; e.Type != "image.rollout_created" || e.Actor != "test" || string(e.Payload) != `{"k":"v"}` || e.CreatedAt.IsZero() {
			t.Fatalf("event read back: %+v", e)
		}
	})
}

func TestSetSetting(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, v := range []string{"1", "2"} {
			if err := db.SetSetting(ctx, "notify.cursor", v); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := db.Setting(ctx, "notify.cursor"); got != v || !ok || err != nil {
				t.Fatalf("setting %q %v %v, want %q", got, ok, err, v)
			}
		}
	})
}

// A follower never passes an event whose transaction has not committed
// yet, however late it commits, and does not wait for ever on one that
// rolled back. Only PostgreSQL commits ids out of order.
func TestFollowerWaitsForLateCommits(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.Postgres {
			t.Skip("SQLite commits ids in order")
		}
		ctx := context.Background()
		f := db.Follow(0)
		late := func(commit bool) (release func()) {
			started, release2, done := make(chan struct{}), make(chan struct{}), make(chan error)
			go func() {
				done <- db.InTx(ctx, "slow", func(tx *store.Tx) error {
					if err := tx.AddEvent(ctx, "slow", "", nil); err != nil {
						return err
					}
					close(started)
					<-release2
					if !commit {
						return errors.New("roll back")
					}
					return nil
				})
			}()
			<-started
			return func() { close(release2); <-done }
		}
		release := late(true)
		storetest.AddEvents(t, db, [2]string{"fast", ""})
		if evs, err := f.Next(ctx, 10); len(evs) != 0 || err != nil || !f.Holding() {
			t.Fatalf("passed a gap: %v %v", ids(evs), err)
		}
		release()
		if evs, err := f.Next(ctx, 10); fmt.Sprint(ids(evs)) != "[1 2]" || err != nil {
			t.Fatalf("after the late commit: %v %v", ids(evs), err)
		}

		release = late(false)
		storetest.AddEvents(t, db, [2]string{"fast", ""})
		release()
		deadline := time.Now().Add(5 * time.Second)
		var got []int64
		for len(got) == 0 && time.Now().Before(deadline) {
			evs, err := f.Next(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			got = ids(evs)
			time.Sleep(50 * time.Millisecond)
		}
		if fmt.Sprint(got) != "[4]" || f.Holding() || f.Cursor() != 4 {
			t.Fatalf("after a rollback: %v, holding %v, cursor %d", got, f.Holding(), f.Cursor())
		}
	})
}

func TestListenEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		db := storetest.Open(t, dbURL)
		if db.Engine != store.Postgres {
			t.Skip("LISTEN is PostgreSQL's")
		}
		other := storetest.Open(t, dbURL) // another replica
		ctx, cancel := context.WithCancel(context.Background())
		ready, woken, done := make(chan struct{}), make(chan struct{}, 10), make(chan error)
		go func() {
			done <- db.ListenEvents(ctx, func() { close(ready) }, func() { woken <- struct{}{} })
		}()
		<-ready
		if err := other.NotifyEvents(ctx, 7); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
		case <-time.After(5 * time.Second):
			t.Fatal("no wake-up from another replica's NOTIFY")
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("listen ended with %v", err)
		}
	})
}
