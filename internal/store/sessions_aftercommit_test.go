package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/sessioncache"
)

// TestSessionsNeverStaleWhenWritersListen: with both replicas listening,
// polled and writing, so that each write waits on its own barrier and the
// other's pings rather than CommitWait, every write shows at once on the
// other replica.
func TestSessionsNeverStaleWhenWritersListen(t *testing.T) {
	a, b := replicas(t, 20)
	for _, db := range []*store.DB{a, b} {
		eventually(t, "the replica serves from cache", func() bool { return servesFromCache(t, db, "dk_1", "d1") })
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, db := range []*store.DB{a, b, b} { // background polls: fills and barriers racing the writes
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(i%7) * time.Millisecond): // idle now and then: barriers of every age
					db.DeviceByKey(context.Background(), fmt.Sprint("dk_", i%20))
				}
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	apps := map[string]airlock.AppSpec{"cache": {"image": json.RawMessage(`"redis:7"`)}}
	for i := range 100 {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		key := fmt.Sprint("dk_", i%20)
		want := version(t, r, key) + 1
		inTx(t, w, func(ctx context.Context, tx *store.Tx) error {
			_, err := fleet.SetTargetState(ctx, tx, fmt.Sprint("d", i%20), apps)
			return err
		})
		if got := version(t, r, key); got != want {
			t.Fatalf("round %d: after a target-state write on the other replica, version %d, want %d", i, got, want)
		}
	}
}

// TestSessionsAloneWriteSkipsCommitWait: a lone listening replica's
// device-changing write returns after its barrier, before CommitWait.
func TestSessionsAloneWriteSkipsCommitWait(t *testing.T) {
	a, _ := replicas(t, 2)
	eventually(t, "the replica serves from cache", func() bool { return servesFromCache(t, a, "dk_1", "d1") })
	time.Sleep(sessioncache.CommitWait)
	best := time.Hour
	for range 5 { // the fastest of a few: the machine is noisy
		start := time.Now()
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
			tx.DevicesChanged("d1")
			return nil
		})
		best = min(best, time.Since(start))
	}
	if best >= sessioncache.CommitWait {
		t.Fatalf("a write took %v, at least CommitWait", best)
	}
}
