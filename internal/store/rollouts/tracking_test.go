package rollouts_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// newRollout stores device d1 running redis:7.4 and a rollout of
// redis:7.5 over it, d1 updating.
func newRollout(t *testing.T, ctx context.Context, db *store.DB) airlock.Rollout {
	t.Helper()
	var r airlock.Rollout
	err := db.InTx(ctx, "test", func(tx *store.Tx) error {
		if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: "d1", Labels: map[string]string{}}, "hash-d1"); err != nil {
			return err
		}
		apps := map[string]airlock.AppSpec{"cache": airlock.AppSpec{}.WithImage("docker.io/library/redis:7.4")}
		if _, err := fleet.SetTargetState(ctx, tx, "d1", apps); err != nil {
			return err
		}
		var err error
		r, err = rollouts.CreateRollout(ctx, tx, airlock.Rollout{Registry: "docker.io", Namespace: "library", ImageName: "redis",
			Tag: "7.5", UpdateStrategy: "staged", Status: "in_progress", TotalBatches: 1, TotalDevices: 1,
			Timing: airlock.Timing{BakeSeconds: 5, MaintenanceWindows: []airlock.MaintenanceWindow{{Cron: "0 2 * * *", Duration: "1h"}}}},
			[]airlock.RolloutDevice{{DeviceUUID: "d1", App: "cache", Batch: 1, PreviousImage: "docker.io/library/redis:7.4",
				TargetImage: "docker.io/library/redis:7.5", Status: "updating"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTrackingRoundTrip: what SaveTracking writes, WatchDevices reads back
// equal (to the microsecond), the verdict stays through a later status,
// and the device list shows the evidence.
func TestTrackingRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRollout(t, ctx, db)
		if r.BakeSeconds != 5 || len(r.MaintenanceWindows) != 1 {
			t.Fatalf("rollout timing: %+v", r.Timing)
		}
		at := time.Date(2026, 12, 2, 6, 0, 0, 123456789, time.UTC)
		code := 137
		track := rollout.Tracking{Attempt: 2, StartedAt: at, ClockFrom: at.Add(time.Second), LastReportAt: at.Add(2 * time.Second),
			RunningSince: at.Add(3 * time.Second), HealthySince: at.Add(4 * time.Second), Restarts: 1, Message: "oom",
			ExitCode: &code, Reason: "reported status \"exited\""}
		for _, status := range []string{"failed", "rolled_back"} {
			err := db.InTx(ctx, "test", func(tx *store.Tx) error {
				return rollouts.SaveTracking(ctx, tx, r.ID, r.Image, []rollouts.Change{{DeviceUUID: "d1", App: "cache", Status: status, Batch: 1, Track: track}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var got []rollouts.WatchedDevice
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			return rollouts.WatchDevices(ctx, tx, r.ID, func(w rollouts.WatchedDevice) { got = append(got, w) })
		})
		if err != nil || len(got) != 1 || !got[0].Track.Equal(track) || got[0].Status != "rolled_back" {
			t.Fatalf("watched %+v (%v), want %+v", got, err, track)
		}
		page, err := rollouts.RolloutDevices(ctx, db, r.ID, airlock.RolloutDeviceFilter{Limit: 10})
		list := page.Items
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		if d := list[0]; d.Outcome != "failed" || d.Message != "oom" || d.ExitCode == nil || *d.ExitCode != 137 ||
			d.Attempts != 2 || d.JudgedAt == nil || d.HealthyAt == nil || !d.HealthyAt.Truncate(time.Microsecond).Equal(at.Add(4*time.Second).Truncate(time.Microsecond)) {
			t.Fatalf("listed %+v", d)
		}
	})
}

func TestKnownBad(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRollout(t, ctx, db)
		k := airlock.KnownBad{Content: "sha256:abc", Image: r.Image, RolloutID: &r.ID, Reason: "rolled back"}
		var held bool
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			for range 2 { // the second is kept out, not an error
				if err := rollouts.AddKnownBad(ctx, tx, k); err != nil {
					return err
				}
			}
			var err error
			_, held, err = rollouts.KnownBadContent(ctx, tx, "sha256:abc")
			return err
		})
		list, lerr := rollouts.KnownBadList(ctx, db)
		if err != nil || lerr != nil || !held || len(list) != 1 || *list[0].RolloutID != r.ID {
			t.Fatalf("held %v, list %+v (%v, %v)", held, list, err, lerr)
		}
		err = db.InTx(ctx, "test", func(tx *store.Tx) error {
			if _, err := rollouts.ClearKnownBad(ctx, tx, list[0].ID); err != nil {
				return err
			}
			_, err := rollouts.ClearKnownBad(ctx, tx, list[0].ID)
			if airlock.ErrorCode(err) != airlock.ENOTFOUND {
				t.Errorf("cleared twice: %v", err)
			}
			_, held, err = rollouts.KnownBadContent(ctx, tx, "sha256:abc")
			return err
		})
		if err != nil || held {
			t.Fatalf("after clear: held %v (%v)", held, err)
		}
	})
}
