package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// replicas opens two stores on one PostgreSQL schema, with devices d0…d(n-1)
// keyed dk_0…, created through a.
func replicas(t *testing.T, n int) (a, b *store.DB) {
	t.Helper()
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL only (AIRLOCK_TEST_POSTGRES_URL)")
	}
	url := storetest.URL(t, store.Postgres)
	a, b = storetest.Open(t, url), storetest.Open(t, url)
	inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
		for i := range n {
			if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: fmt.Sprint("d", i)}, store.HashSecret(fmt.Sprint("dk_", i))); err != nil {
				return err
			}
		}
		return nil
	})
	return a, b
}

func inTx(t *testing.T, db *store.DB, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := db.InTx(ctx, "test", func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// version is what db answers for key: the target version, or -1 for no device.
func version(t *testing.T, db *store.DB, key string) int64 {
	t.Helper()
	s, err := db.DeviceByKey(context.Background(), key)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return s.Version
}

// servesFromCache reports whether db answers key from its cache: a change
// made behind the store's back (no notification) does not show.
func servesFromCache(t *testing.T, db *store.DB, key, uuid string) bool {
	t.Helper()
	ctx := context.Background()
	before := version(t, db, key)
	const bump = `UPDATE device_target_state SET version = version + $1 WHERE device_uuid = $2`
	if _, err := db.Exec(ctx, bump, 1000, uuid); err != nil {
		t.Fatal(err)
	}
	cached := version(t, db, key) == before
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { // and the change back, told to every replica
		tx.DevicesChanged(uuid)
		_, err := tx.Exec(ctx, bump, -1000, uuid)
		return err
	})
	return cached
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
	}
}

// TestSessionsNeverStaleAcrossReplicas: a key rotation, a deletion and
// target-state writes committed through one replica show at once on the
// other, which caches sessions and is polled all the while.
func TestSessionsNeverStaleAcrossReplicas(t *testing.T) {
	a, b := replicas(t, 20)
	eventually(t, "the other replica serves from cache", func() bool { return servesFromCache(t, b, "dk_1", "d1") })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 { // background polls: fills and barriers racing the writes
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
					b.DeviceByKey(context.Background(), fmt.Sprint("dk_", i%20))
				}
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	apps := map[string]airlock.AppSpec{"cache": {"image": json.RawMessage(`"redis:7"`)}}
	for i := range 100 {
		u, key := fmt.Sprint("d", i%20), fmt.Sprint("dk_", i%20)
		want := version(t, b, key) + 1
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
			_, err := fleet.SetTargetState(ctx, tx, u, apps)
			return err
		})
		if got := version(t, b, key); got != want {
			t.Fatalf("round %d: after a target-state write on the other replica, version %d, want %d", i, got, want)
		}
		if i%10 != 0 {
			continue
		}
		rotated := fmt.Sprint("dk_rotated_", i)
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
			_, err := fleet.SetDeviceKey(ctx, tx, u, store.HashSecret(rotated))
			return err
		})
		if version(t, b, key) != -1 || version(t, b, rotated) != want {
			t.Fatalf("round %d: the rotated-out key still authenticates, or the new one does not", i)
		}
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error { return fleet.DeleteDevice(ctx, tx, u) })
		if version(t, b, rotated) != -1 {
			t.Fatalf("round %d: a deleted device's key still authenticates", i)
		}
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
			_, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: u}, store.HashSecret(key))
			return err
		})
	}
}

// TestSessionsListenerLoss: while a replica's listener is cut (its backend
// terminated) it hears no writes, and must not serve from cache meanwhile;
// once it listens again, it does.
func TestSessionsListenerLoss(t *testing.T) {
	a, b := replicas(t, 3)
	ctx := context.Background()
	apps := map[string]airlock.AppSpec{"cache": {"image": json.RawMessage(`"redis:7"`)}}
	var schema string
	if err := b.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		eventually(t, "the replica serves from cache", func() bool { return servesFromCache(t, b, "dk_1", "d1") })
		want := version(t, b, "dk_1") + 1
		var cut int
		err := a.QueryInt(ctx, &cut, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE query = $1`, `LISTEN "airlock_sessions:`+schema+`"`)
		if err != nil || cut != 1 {
			t.Fatalf("round %d: terminated %d listeners, %v; want 1", round, cut, err)
		}
		inTx(t, a, func(ctx context.Context, tx *store.Tx) error {
			_, err := fleet.SetTargetState(ctx, tx, "d1", apps)
			return err
		})
		for range 20 {
			if got := version(t, b, "dk_1"); got != want {
				t.Fatalf("round %d: with the listener cut, version %d, want %d", round, got, want)
			}
		}
	}
}
