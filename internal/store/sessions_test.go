package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestDeviceByKeyNeverServesAStaleSession: whatever the session cache holds
// (SQLite), a lookup after a committed change sees the change.
func TestDeviceByKeyNeverServesAStaleSession(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		write := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, "test", fn); err != nil {
				t.Fatal(err)
			}
		}
		image, _ := json.Marshal("redis:7")
		apps := map[string]airlock.AppSpec{"cache": {"image": image}}
		write(func(tx *store.Tx) error {
			if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: "d1"}, store.HashSecret("dk_one")); err != nil {
				return err
			}
			_, err := fleet.SetTargetState(ctx, tx, "d1", apps)
			return err
		})
		version := func(key string) int64 {
			t.Helper()
			s, err := db.DeviceByKey(ctx, key)
			if err != nil {
				return -1
			}
			return s.Version
		}
		v := version("dk_one")
		if again := version("dk_one"); again != v || v < 1 {
			t.Fatalf("versions %d then %d", v, again)
		}
		write(func(tx *store.Tx) error { _, err := fleet.SetTargetState(ctx, tx, "d1", apps); return err })
		if got := version("dk_one"); got != v+1 {
			t.Fatalf("after a target-state write: version %d, want %d", got, v+1)
		}
		write(func(tx *store.Tx) error {
			return fleet.SetAppImages(ctx, tx, []fleet.AppImage{{DeviceUUID: "d1", App: "cache", Image: "redis:8"}})
		})
		if got := version("dk_one"); got != v+2 {
			t.Fatalf("after a rollout write: version %d, want %d", got, v+2)
		}
		write(func(tx *store.Tx) error {
			_, err := fleet.SetDeviceKey(ctx, tx, "d1", store.HashSecret("dk_two"))
			return err
		})
		if got := version("dk_one"); got != -1 {
			t.Fatal("the rotated-out key still authenticates")
		}
		if got := version("dk_two"); got != v+2 {
			t.Fatalf("new key: version %d", got)
		}
		write(func(tx *store.Tx) error { return fleet.DeleteDevice(ctx, tx, "d1") })
		if got := version("dk_two"); got != -1 {
			t.Fatal("a deleted device's key still authenticates")
		}
	})
}

// TestSessionCacheKeepsOtherDevices: on SQLite, a target-state write, a
// rollout's and a key rotation forget only the sessions of the devices they
// change. The test proves a session was kept by changing its row behind the
// store's back: a cached session does not see that.
func TestSessionCacheKeepsOtherDevices(t *testing.T) {
	db := storetest.Open(t, storetest.URL(t, store.SQLite))
	ctx := context.Background()
	image, _ := json.Marshal("redis:7")
	apps := map[string]airlock.AppSpec{"cache": {"image": image}}
	err := db.InTx(ctx, "test", func(tx *store.Tx) error {
		for _, u := range []string{"d1", "d2", "d3", "d4"} {
			if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: u}, store.HashSecret("dk_"+u)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"d1", "d2", "d3", "d4"} {
		if _, err := db.DeviceByKey(ctx, "dk_"+u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `UPDATE device_target_state SET version = 99 WHERE device_uuid = 'd1'`); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, "test", func(tx *store.Tx) error {
		if _, err := fleet.SetTargetState(ctx, tx, "d2", apps); err != nil {
			return err
		}
		if _, err := fleet.SetDeviceKey(ctx, tx, "d4", store.HashSecret("dk_new")); err != nil {
			return err
		}
		return fleet.SetAppImages(ctx, tx, []fleet.AppImage{{DeviceUUID: "d3", App: "cache", Image: "redis:8"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int64{"dk_d1": 0, "dk_d2": 1, "dk_d3": 1, "dk_new": 0, "dk_d4": -1} {
		got := int64(-1)
		if s, err := db.DeviceByKey(ctx, key); err == nil {
			got = s.Version
		}
		if got != want {
			t.Errorf("%s: version %d, want %d (d1 cached at 0, the others read afresh)", key, got, want)
		}
	}
}

// TestDeviceByKeyAcrossReplicas: on PostgreSQL, a replica's lookup sees a
// change another replica has just committed, with many lookups at once.
func TestDeviceByKeyAcrossReplicas(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL only (AIRLOCK_TEST_POSTGRES_URL)")
	}
	url := storetest.URL(t, store.Postgres)
	a, b := storetest.Open(t, url), storetest.Open(t, url)
	ctx := context.Background()
	image, _ := json.Marshal("redis:7")
	apps := map[string]airlock.AppSpec{"cache": {"image": image}}
	err := a.InTx(ctx, "test", func(tx *store.Tx) error {
		for i := range 50 {
			if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: fmt.Sprint("d", i)}, store.HashSecret(fmt.Sprint("dk_", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := int64(1); round <= 5; round++ {
		err := a.InTx(ctx, "test", func(tx *store.Tx) error { _, err := fleet.SetTargetState(ctx, tx, "d7", apps); return err })
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				s, err := b.DeviceByKey(ctx, fmt.Sprint("dk_", i))
				if want := map[bool]int64{true: round, false: 0}[i == 7]; err != nil || s.Version != want || s.UUID != fmt.Sprint("d", i) {
					t.Errorf("round %d, d%d on the other replica: %+v, %v; want version %d", round, i, s, err, want)
				}
			})
		}
		wg.Wait()
	}
	if _, err := b.DeviceByKey(ctx, "dk_nobody"); airlock.ErrorCode(err) != airlock.ENOTFOUND {
		t.Fatalf("an unknown key: %v", err)
	}
}
