package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestCrashAnywhereInAStep stops a monitor step at every point it reads
// the clock in turn, as a kill -9 would (its transaction never commits),
// then lets the monitor run on. Whatever the point, the rollout completes
// with every device updated once and every batch started and completed
// once: a step is done wholly or not at all, and never twice.
func TestCrashAnywhereInAStep(t *testing.T) {
	t.Parallel()
	for k := 1; ; k++ {
		if crashed := crashAt(t, k); !crashed {
			if k < 5 {
				t.Fatalf("the step read the clock only %d times: the test no longer reaches into it", k-1)
			}
			t.Logf("crashed the step at each of its %d clock reads", k-1)
			return
		}
	}
}

// crashAt runs the scenario crashing at the k-th clock read of the step
// that judges batch 1 and starts batch 2; it reports whether the step got
// that far (else it ran whole, and the scenario is exhausted).
func crashAt(t *testing.T, k int) (crashed bool) {
	t.Helper()
	var mu sync.Mutex
	var armed bool
	var reads int
	var cancel context.CancelFunc
	s := apitest.Start(t, storetest.URL(t, store.SQLite), apitest.WithService(func(s *service.Service) {
		s.DB.SetClock(func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			if armed {
				if reads++; reads == k {
					cancel()
					crashed = true
				}
			}
			return time.Now()
		})
	}))
	ctx := context.Background()
	uuids := provision(t, s.Svc, 4)
	strategy, size, zero := "staged", 2, 0
	r, err := s.Svc.CreateRollout(ctx, "test", service.RolloutInput{Image: "redis:7.5-alpine", UpdateStrategy: &strategy,
		BatchSize: &size, BatchDelaySeconds: &zero})
	if err != nil {
		t.Fatal(err)
	}
	reportTargets(t, s.Svc, uuids)

	tickCtx, c := context.WithCancel(ctx)
	mu.Lock()
	armed, cancel = true, c
	mu.Unlock()
	err = s.Svc.MonitorTick(tickCtx)
	mu.Lock()
	armed = false
	mu.Unlock()
	c()
	if crashed == (err == nil) {
		t.Fatalf("crash at clock read %d: tick error %v", k, err)
	}

	for range 10 {
		reportTargets(t, s.Svc, uuids)
		if err := s.Svc.MonitorTick(ctx); err != nil {
			t.Fatalf("crash at %d, then: %v", k, err)
		}
	}
	wantCompletedOnce(t, s, k, r.ID)
	return crashed
}

// wantCompletedOnce asserts that rollout id, after the crash at clock read k,
// completed on all 4 devices with each device updated once and each batch
// and completion event written exactly once.
func wantCompletedOnce(t *testing.T, s *apitest.Server, k int, id int64) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Svc.Rollout(ctx, id)
	if err != nil || got.Status != "completed" || got.Counts["succeeded"] != 4 {
		t.Fatalf("crash at %d: rollout %s %v (%v)", k, got.Status, got.Counts, err)
	}
	wantEachUpdatedOnce(t, s.DB)
	for typ, want := range map[string]int{"image.rollout_batch_started": 2, "image.rollout_batch_completed": 2, "image.rollout_completed": 1} {
		var n int
		if err := s.DB.QueryInt(ctx, &n, `SELECT COUNT(*) FROM events WHERE type = $1`, typ); err != nil || n != want {
			t.Fatalf("crash at %d: %d %s events (%v), want %d", k, n, typ, err, want)
		}
	}
}

// provision makes n devices running redis:7.4-alpine as app "cache", and
// approves redis, so that rollouts of it pass the gate.
func provision(t *testing.T, svc *service.Service, n int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreateImage(ctx, "test", service.ImageInput{ImageName: "redis"}); err != nil {
		t.Fatal(err)
	}
	var uuids []string
	for i := range n {
		d, err := svc.CreateDevice(ctx, "test", service.DeviceInput{UUID: fmt.Sprintf("dev-%d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		apps := map[string]json.RawMessage{"cache": json.RawMessage(`{"image": "redis:7.4-alpine"}`)}
		if _, err := svc.SetTargetState(ctx, "test", d.UUID, apps, service.Override{Force: true, Reason: "test fleet"}); err != nil {
			t.Fatal(err)
		}
		uuids = append(uuids, d.UUID)
	}
	return uuids
}

// reportTargets makes every device report its target image running, healthy.
func reportTargets(t *testing.T, svc *service.Service, uuids []string) {
	t.Helper()
	ctx := context.Background()
	for _, uuid := range uuids {
		ts, err := fleet.TargetState(ctx, svc.DB, uuid)
		if err != nil {
			t.Fatal(err)
		}
		report := airlock.DeviceReport{Apps: map[string]airlock.AppReport{
			"cache": {Image: ts.Apps["cache"].Image(), Status: "running", Healthy: true}}}
		if _, err := svc.ReportState(ctx, uuid, report); err != nil {
			t.Fatal(err)
		}
	}
}
