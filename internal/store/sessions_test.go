package store_test

import (
	"context"
	"encoding/json"
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
