package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/agent"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// Short enough to keep each scenario well under a second of waiting.
const (
	tickEvery = 20 * time.Millisecond
	pollEvery = 10 * time.Millisecond // with jitter; pulls take up to as long
)

type rolloutView struct {
	ID           int64          `json:"id"`
	Status       string         `json:"status"`
	CurrentBatch int            `json:"current_batch"`
	TotalBatches int            `json:"total_batches"`
	Reason       string         `json:"reason"`
	BatchDoneAt  *time.Time     `json:"batch_done_at"`
	Counts       map[string]int `json:"counts"`
}

func getRollout(t *testing.T, s *apitest.Server, id int64) rolloutView {
	t.Helper()
	var r rolloutView
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &r)
	return r
}

// waitFor polls rollout id until ok holds, failing the test after a while.
func waitFor(t *testing.T, s *apitest.Server, id int64, what string, ok func(rolloutView) bool) rolloutView {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := getRollout(t, s, id)
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("rollout %d never %s: %+v\n%s", id, what, r, s.Logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func finished(r rolloutView) bool { return r.Status != "in_progress" && r.Status != "paused" }

// pushRedis approves redis with a staged policy (batches of 2, no delay)
// and pushes redis:7.5-alpine through the webhook; it returns the rollout.
func pushRedis(t *testing.T, s *apitest.Server, policy map[string]any) int64 {
	t.Helper()
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
	body := map[string]any{"image_pattern": "redis:*", "batch_size": 2, "health_check_timeout_seconds": 30}
	for k, v := range policy {
		body[k] = v
	}
	s.Must(201, "POST", "/api/v1/policies", body)
	r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
		map[string]any{"image": "docker.io/library/redis:7.5-alpine"})
	var answer struct {
		Rollout *rolloutView `json:"rollout"`
		Reason  string       `json:"reason"`
	}
	if r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	if r.JSON(t, &answer); answer.Rollout == nil {
		t.Fatalf("webhook made no rollout: %s", answer.Reason)
	}
	return answer.Rollout.ID
}

// targetVersions reads every device's target version from the database.
func targetVersions(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rows, err := db.QueryStrings(context.Background(), `SELECT device_uuid || '=' || version FROM device_target_state`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		uuid, v, _ := strings.Cut(r, "=")
		out[uuid] = v
	}
	return out
}

func images(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.QueryStrings(context.Background(), `SELECT DISTINCT image FROM device_target_apps`)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// wantEachUpdatedOnce checks that every device's target state changed
// exactly once after it was provisioned: no batch was started twice.
func wantEachUpdatedOnce(t *testing.T, db *store.DB) {
	t.Helper()
	versions := targetVersions(t, db)
	if len(versions) == 0 {
		t.Fatal("no devices")
	}
	for uuid, v := range versions {
		if v != "2" {
			t.Errorf("%s: target version %s, want 2", uuid, v)
		}
	}
}

func TestStagedRolloutCompletes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := startFleet(t, s.URL, 6)
		id := pushRedis(t, s, nil)
		r := waitFor(t, s, id, "finished", finished)
		if r.Status != "completed" || r.Counts["succeeded"] != 6 || r.CurrentBatch != 3 || r.TotalBatches != 3 {
			t.Fatalf("finished: %+v", r)
		}
		wantEachUpdatedOnce(t, s.DB)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := f.WaitFor(ctx, func(sum agent.Summary) bool { return sum.Count("redis:7.5-alpine", "running") == 6 }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPauseHoldsAndResumeFinishes runs on a clock the test moves: the batch
// delay passes while the rollout is paused, and still no batch starts.
func TestPauseHoldsAndResumeFinishes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery), apitest.WithService(func(s *service.Service) { s.DB.SetClock(c.Now) }))
		startFleet(t, s.URL, 6)
		id := pushRedis(t, s, map[string]any{"batch_delay_seconds": 60})
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/pause", id), nil)
		waitFor(t, s, id, "judged batch 1 while paused", func(r rolloutView) bool { return r.Counts["succeeded"] == 2 })
		c.Advance(time.Hour)
		time.Sleep(10 * tickEvery)
		if r := getRollout(t, s, id); r.Status != "paused" || r.CurrentBatch != 1 || r.Counts["pending"] != 4 {
			t.Fatalf("paused rollout moved on: %+v", r)
		}
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/resume", id), nil)
		waitFor(t, s, id, "started batch 2", func(r rolloutView) bool { return r.CurrentBatch == 2 })
		advanced := false
		r := waitFor(t, s, id, "finished", func(r rolloutView) bool {
			if r.CurrentBatch == 2 && r.BatchDoneAt != nil && !advanced {
				c.Advance(time.Minute) // batch 2 done: its delay passes, once
				advanced = true
			}
			return finished(r)
		})
		if r.Status != "completed" || r.Counts["succeeded"] != 6 {
			t.Fatalf("resumed: %+v", r)
		}
		wantEachUpdatedOnce(t, s.DB)
	})
}

func TestFailingReleaseRollsBackEveryDevice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := startFleet(t, s.URL, 6, "7.5-alpine")
		id := pushRedis(t, s, map[string]any{"failure_threshold_percent": 50})
		r := waitFor(t, s, id, "finished", finished)
		if r.Status != "rolled_back" || r.Counts["rolled_back"] != 2 || r.Counts["skipped"] != 4 {
			t.Fatalf("finished: %+v", r)
		}
		if got := images(t, s.DB); len(got) != 1 || got[0] != "docker.io/library/redis:7.4-alpine" {
			t.Fatalf("after the rollback the fleet is told to run %v", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := f.WaitFor(ctx, func(sum agent.Summary) bool { return sum.Count("redis:7.4-alpine", "running") == 6 }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRestartMidRollout kills the server while batch 2 of 3 is out and
// starts another on the same database behind the same address: the rollout
// completes, and no device is given the new image twice.
func TestRestartMidRollout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		shortLease := apitest.WithService(func(s *service.Service) { s.LeaseTTL = 200 * time.Millisecond })
		a := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery), shortLease)
		sb := newSwitchboard(t, a.URL)
		startFleet(t, sb.URL, 6)
		id := pushRedis(t, a, nil)
		waitFor(t, a, id, "reached batch 2", func(r rolloutView) bool { return r.CurrentBatch >= 2 })
		a.Kill()

		b := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery), shortLease)
		sb.route(b.URL)
		r := waitFor(t, b, id, "finished", finished)
		if r.Status != "completed" || r.Counts["succeeded"] != 6 {
			t.Fatalf("finished: %+v", r)
		}
		wantEachUpdatedOnce(t, b.DB)
		var started int
		if err := b.DB.QueryInt(context.Background(), &started,
			`SELECT COUNT(*) FROM events WHERE type = 'image.rollout_batch_started'`); err != nil || started != 3 {
			t.Fatalf("%d batch_started events (%v), want 3", started, err)
		}
	})
}

// TestTwoReplicasOneLeader runs two servers on one PostgreSQL database: one
// of them leads the monitor, and the rollout completes once.
func TestTwoReplicasOneLeader(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		if !strings.HasPrefix(dbURL, "postgres") {
			t.Skip("replicas share a PostgreSQL database; SQLite is one process's file")
		}
		led := map[string]*leadCount{"a": {}, "b": {}}
		start := func(name string) *apitest.Server {
			return apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery), apitest.WithService(func(s *service.Service) {
				s.MonitorID, s.LeaseTTL = name, 5*time.Second
				s.OnMonitorTick = led[name].record
			}))
		}
		a, b := start("a"), start("b")
		startFleet(t, a.URL, 6)
		id := pushRedis(t, b, nil)
		if r := waitFor(t, a, id, "finished", finished); r.Status != "completed" || r.Counts["succeeded"] != 6 {
			t.Fatalf("finished: %+v", r)
		}
		wantEachUpdatedOnce(t, a.DB)
		na, nb := led["a"].get(), led["b"].get()
		if (na == 0) == (nb == 0) {
			t.Fatalf("ticks led: a %d, b %d; want exactly one leader", na, nb)
		}
		var completed int
		if err := a.DB.QueryInt(context.Background(), &completed,
			`SELECT COUNT(*) FROM events WHERE type = 'image.rollout_completed'`); err != nil || completed != 1 {
			t.Fatalf("%d completed events (%v)", completed, err)
		}
	})
}
