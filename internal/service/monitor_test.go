package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestMonitorSkipsQuietRollout checks that the monitor leaves a rollout
// alone while nothing can have changed it, and steps it when a device in
// flight reports, an admin changes it, a device is deleted, or one of its
// deadlines comes.
func TestMonitorSkipsQuietRollout(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			svc, r := quietRollout(t, engine, &now)
			judged := func() time.Time { return monitorMark(t, svc, r.ID).JudgedAt }
			tick := func(stepped bool) {
				t.Helper()
				now = now.Add(time.Second) // so that a step's mark differs from the last
				before := judged()
				if err := svc.MonitorTick(ctx); err != nil {
					t.Fatal(err)
				}
				if got := !judged().Equal(before); got != stepped {
					t.Fatalf("at %v: stepped %v, want %v", now, got, stepped)
				}
			}
			tick(true)  // first look: the devices were started as the rollout was created
			tick(false) // and it wrote nothing, so there is nothing new to judge
			now = now.Add(time.Minute)
			tick(false)
			if m := monitorMark(t, svc, r.ID); !m.DueAt.Equal(r.CreatedAt.Add(10 * time.Minute)) {
				t.Errorf("due at %v, want the health timeout %v", m.DueAt, r.CreatedAt.Add(10*time.Minute))
			}

			saveReport(t, svc, "dev-000000", now)
			tick(true)
			if got, _ := svc.Rollout(ctx, r.ID); got.Counts[rollout.DeviceSucceeded] != 1 {
				t.Fatalf("after a healthy report: %v", got.Counts)
			}
			tick(false) // the step only judged a device: judging it again would change nothing
			now = now.Add(2 * time.Minute)
			tick(false)

			if _, err := svc.ControlRollout(ctx, "test", r.ID, rollout.ActionPause, "look"); err != nil {
				t.Fatal(err)
			}
			tick(true)
			tick(false)
			if err := svc.DeleteDevice(ctx, "test", "dev-000002"); err != nil {
				t.Fatal(err)
			}
			tick(true)
			now = now.Add(2 * time.Minute)
			tick(true) // its last step was within the report slack of the deletion
			tick(false)
			now = now.Add(10 * time.Minute) // past the health timeout
			tick(true)
			if got, _ := svc.Rollout(ctx, r.ID); !rollout.Terminal(got.Status) { // 2 of 3 timed out: over the threshold
				t.Fatalf("after the timeout: %s %v", got.Status, got.Counts)
			}
		})
	}
}

// quietRollout starts a rollout over 3 devices with a health timeout of
// 10 minutes, on the clock *now.
func quietRollout(t *testing.T, engine string, now *time.Time) (*service.Service, airlock.Rollout) {
	svc := benchServiceOn(t, engine, 3)
	svc.DB.SetClock(func() time.Time { return *now })
	in, timeout := immediate("v1"), 600
	in.HealthCheckTimeoutSeconds = &timeout
	r, err := svc.CreateRollout(context.Background(), "test", in)
	if err != nil {
		t.Fatal(err)
	}
	return svc, r
}

func monitorMark(t *testing.T, svc *service.Service, id int64) rolloutdb.Mark {
	t.Helper()
	var m rolloutdb.Mark
	err := svc.DB.InTx(context.Background(), "test", func(tx *store.Tx) (err error) {
		m, err = rolloutdb.MonitorMark(context.Background(), tx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func saveReport(t *testing.T, svc *service.Service, uuid string, at time.Time) {
	t.Helper()
	app := map[string]airlock.AppReport{"cache": {Image: "docker.io/library/redis:v1", Status: "running", Health: "healthy"}}
	err := svc.DB.InTx(context.Background(), "test", func(tx *store.Tx) error {
		return fleet.SaveReport(context.Background(), tx, uuid, airlock.DeviceReport{Apps: app, ReportedAt: at})
	})
	if err != nil {
		t.Fatal(err)
	}
}
