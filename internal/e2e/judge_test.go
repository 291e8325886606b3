package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// simDevices are devices driven through the HTTP API by the test itself:
// on each step every device polls its target state and reports what
// behave says of it, given how long it has run that target.
type simDevices struct {
	s       *apitest.Server
	keys    map[string]string // uuid → device key
	since   map[string]time.Time
	target  map[string]string // image@version last seen
	attempt map[string]int    // times the new image was sent, a retry included
	behave  func(uuid, image string, on time.Duration) map[string]any
}

// newSimDevices provisions n devices (d1…dn) running redis:7.4-alpine.
func newSimDevices(t *testing.T, s *apitest.Server, n int, behave func(uuid, image string, on time.Duration) map[string]any) *simDevices {
	t.Helper()
	f := &simDevices{s: s, keys: map[string]string{}, since: map[string]time.Time{}, target: map[string]string{},
		attempt: map[string]int{}, behave: behave}
	for i := 1; i <= n; i++ {
		f.add(t, fmt.Sprintf("d%d", i))
	}
	return f
}

// add provisions a device running redis:7.4-alpine.
func (f *simDevices) add(t *testing.T, uuid string) {
	t.Helper()
	var d struct {
		APIKey string `json:"api_key"`
	}
	f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "name": "gw-" + uuid}).JSON(t, &d)
	f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": map[string]any{
		"cache": map[string]any{"image": "redis:7.4-alpine"}}, "force": true, "reason": "test fleet"})
	f.keys[uuid] = d.APIKey
}

func (f *simDevices) step(t *testing.T) {
	t.Helper()
	for uuid, key := range f.keys {
		var ts struct {
			Version int `json:"version"`
			Apps    map[string]struct {
				Image string `json:"image"`
			} `json:"apps"`
		}
		f.s.Do("GET", "/api/v1/devices/"+uuid+"/target-state", key, nil).JSON(t, &ts)
		image := ts.Apps["cache"].Image
		isNew := strings.HasSuffix(image, ":7.5-alpine")
		if target := fmt.Sprint(image, "@", ts.Version); f.target[uuid] != target {
			f.target[uuid], f.since[uuid] = target, time.Now()
			if isNew {
				f.attempt[uuid]++
			}
		}
		app := map[string]any{"image": image, "status": "running", "health": "healthy"}
		if isNew {
			app = f.behave(uuid, image, time.Since(f.since[uuid]))
			app["image"] = image
		}
		if r := f.s.Do("PATCH", "/api/v1/devices/"+uuid+"/state", key, map[string]any{"apps": map[string]any{"cache": app}}); r.Status != 204 {
			t.Fatalf("report %s: %d %s", uuid, r.Status, r.Body)
		}
	}
}

// until steps the devices until rollout id satisfies ok.
func (f *simDevices) until(t *testing.T, id int64, what string, ok func(rolloutView) bool) rolloutView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.step(t)
		r := getRollout(t, f.s, id)
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("rollout %d never %s: %+v", id, what, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ended(r rolloutView) bool {
	return r.Status != "in_progress" && r.Status != "paused" && r.Status != "waiting_for_window"
}

func healthy() map[string]any { return map[string]any{"status": "running", "health": "healthy"} }

type deviceRow struct {
	DeviceUUID string `json:"device_uuid"`
	DeviceName string `json:"device_name"`
	Status     string `json:"status"`
	Outcome    string `json:"outcome"`
	Message    string `json:"message"`
	ExitCode   *int   `json:"exit_code"`
	Error      string `json:"error"`
}

func deviceRows(t *testing.T, s *apitest.Server, id int64) map[string]deviceRow {
	t.Helper()
	var page struct{ Items []deviceRow }
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices", id), nil).JSON(t, &page)
	out := map[string]deviceRow{}
	for _, d := range page.Items {
		out[d.DeviceUUID] = d
	}
	return out
}

// Containers whose health check says starting for 3 s, inside a 20 s
// timeout, are not failures: the rollout completes.
func TestStartingContainersComplete(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(_, _ string, on time.Duration) map[string]any {
			if on < 3*time.Second {
				return map[string]any{"status": "running", "health": "starting", "healthy": false}
			}
			return healthy()
		})
		id := pushRedis(t, s, map[string]any{"health_check_timeout_seconds": 20})
		r := f.until(t, id, "ended", ended)
		if r.Status != "completed" || r.Counts["succeeded"] != 2 {
			t.Fatalf("ended: %+v", r)
		}
	})
}

// Devices that crash 1.5 s after turning healthy, under a 5 s bake, fail
// it: the rollout is rolled back.
func TestCrashDuringBakeRollsBack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(_, _ string, on time.Duration) map[string]any {
			if on < 1500*time.Millisecond {
				return healthy()
			}
			return map[string]any{"status": "exited", "exit_code": 139, "message": "segfault after warm-up"}
		})
		id := pushRedis(t, s, map[string]any{"bake_seconds": 5, "health_check_timeout_seconds": 20,
			"min_devices_for_threshold": 2})
		r := f.until(t, id, "ended", ended)
		if r.Status != "rolled_back" || r.Counts["rolled_back"] != 2 {
			t.Fatalf("ended: %+v", r)
		}
		for uuid, d := range deviceRows(t, s, id) {
			if d.Outcome != "failed" || !strings.Contains(d.Error, "within the bake time") {
				t.Errorf("%s: %+v", uuid, d)
			}
		}
	})
}

// After a rollback, /rollouts/{id}/devices still shows each failing
// device's verdict, message and exit code, and an event names each.
func TestRollbackKeepsEvidence(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(uuid, _ string, _ time.Duration) map[string]any {
			return map[string]any{"status": "exited", "exit_code": 3, "message": "config missing on " + uuid}
		})
		id := pushRedis(t, s, map[string]any{"failure_threshold_percent": 50, "min_devices_for_threshold": 2})
		if r := f.until(t, id, "ended", ended); r.Status != "rolled_back" {
			t.Fatalf("ended: %+v", r)
		}
		for _, uuid := range []string{"d1", "d2"} {
			d := deviceRows(t, s, id)[uuid]
			if d.Status != "rolled_back" || d.Outcome != "failed" || d.Message != "config missing on "+uuid ||
				d.ExitCode == nil || *d.ExitCode != 3 || d.DeviceName != "gw-"+uuid {
				t.Errorf("%s after rollback: %+v", uuid, d)
			}
		}
		var events struct {
			Items []struct {
				Payload map[string]any `json:"payload"`
			}
		}
		s.Must(200, "GET", "/api/v1/events?type=image.rollout_device_failed", nil).JSON(t, &events)
		if len(events.Items) != 2 || !strings.HasPrefix(fmt.Sprint(events.Items[0].Payload["message"]), "config missing on d") {
			t.Fatalf("device failed events: %+v", events.Items)
		}
	})
}

// The content of a rolled-back rollout is known-bad: pushing it again
// starts no rollout, and the answer says why.
func TestRolledBackContentIsHeld(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 3, func(_, _ string, _ time.Duration) map[string]any {
			return map[string]any{"status": "failed", "message": "boom"}
		})
		id := pushRedis(t, s, nil)
		if r := f.until(t, id, "ended", ended); r.Status != "rolled_back" {
			t.Fatalf("ended: %+v", r)
		}
		var times struct {
			BatchTimes []struct {
				Status    string     `json:"status"`
				StartedAt *time.Time `json:"started_at"`
			} `json:"batch_times"`
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &times)
		if b := times.BatchTimes; len(b) != 2 || b[0].StartedAt == nil || b[1].Status != "skipped" || b[1].StartedAt != nil {
			t.Fatalf("batches: %+v", b)
		}
		again := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
			map[string]any{"image": "docker.io/library/redis:7.5-alpine"})
		body := again.Map(t)
		if again.Status != 200 || body["rollout"] != nil || !strings.Contains(fmt.Sprint(body["reason"]), "known-bad") {
			t.Fatalf("pushed again: %d %s", again.Status, again.Body)
		}
		var n int
		if err := s.DB.QueryInt(t.Context(), &n, `SELECT COUNT(*) FROM image_update_rollouts`); err != nil || n != 1 {
			t.Fatalf("%d rollouts (%v)", n, err)
		}
	})
}

// 1 of 4 devices failing under a 60% threshold: the rollout runs to the
// end and says it completed with failures.
func TestFailuresUnderThresholdComplete(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 4, func(uuid, _ string, _ time.Duration) map[string]any {
			if uuid == "d1" {
				return map[string]any{"status": "exited", "exit_code": 1, "message": "bad disk"}
			}
			return healthy()
		})
		id := pushRedis(t, s, map[string]any{"failure_threshold_percent": 60, "min_devices_for_threshold": 4})
		r := f.until(t, id, "ended", ended)
		if r.Status != "completed_with_failures" || r.Counts["succeeded"] != 3 || r.Counts["failed"] != 1 {
			t.Fatalf("ended: %+v", r)
		}
	})
}

// A closed maintenance window holds the rollout; editing the policy to
// open one releases it.
func TestWindowHoldsUntilPolicyOpensIt(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(_, _ string, _ time.Duration) map[string]any { return healthy() })
		closed := fmt.Sprintf("0 %d * * *", (time.Now().UTC().Hour()+12)%24)
		id := pushRedis(t, s, map[string]any{"maintenance_windows": []map[string]any{{"cron": closed, "duration": "1h"}}})
		var held struct {
			Status       string     `json:"status"`
			NextWindowAt *time.Time `json:"next_window_at"`
			Counts       map[string]int
		}
		for range 5 {
			f.step(t)
			time.Sleep(5 * tickEvery)
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &held)
		if held.Status != "waiting_for_window" || held.NextWindowAt == nil || held.NextWindowAt.Before(time.Now()) ||
			held.Counts["pending"] != 2 {
			t.Fatalf("held: %+v", held)
		}
		s.Must(200, "PUT", "/api/v1/policies/1", map[string]any{"maintenance_windows": []map[string]any{
			{"cron": "* * * * *", "duration": "2h", "timezone": "Europe/Berlin"}}})
		r := f.until(t, id, "ended", ended)
		if r.Status != "completed" || r.Counts["succeeded"] != 2 {
			t.Fatalf("released: %+v", r)
		}
	})
}

// An admin clears a known-bad record; a viewer may list it but not clear it.
func TestKnownBadClears(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 1, func(_, _ string, _ time.Duration) map[string]any {
			return map[string]any{"status": "failed"}
		})
		id := pushRedis(t, s, nil)
		f.until(t, id, "rolled back", func(r rolloutView) bool { return r.Status == "rolled_back" })
		var held struct {
			Items []struct {
				ID        int64  `json:"id"`
				Content   string `json:"content"`
				RolloutID int64  `json:"rollout_id"`
			}
		}
		s.Must(200, "GET", "/api/v1/known-bad", nil).JSON(t, &held)
		if len(held.Items) != 1 || held.Items[0].Content != "docker.io/library/redis:7.5-alpine" || held.Items[0].RolloutID != id {
			t.Fatalf("held: %+v", held)
		}
		path := fmt.Sprintf("/api/v1/known-bad/%d/clear", held.Items[0].ID)
		if r := s.Do("POST", path, s.Token("viewer"), nil); r.Status != 403 {
			t.Fatalf("viewer cleared: %d", r.Status)
		}
		s.Must(200, "POST", path, nil)
		s.Must(404, "POST", path, nil)
		s.Must(200, "GET", "/api/v1/known-bad", nil).JSON(t, &held)
		if len(held.Items) != 0 {
			t.Fatalf("still held: %+v", held)
		}
	})
}

// A manual rollout with start_at in the future waits for it; end_at
// before start_at is refused.
func TestManualRolloutSpan(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		newSimDevices(t, s, 2, func(_, _ string, _ time.Duration) map[string]any { return healthy() })
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		bad := s.Admin("POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.5-alpine", "update_strategy": "staged",
			"start_at": start, "end_at": start.Add(-time.Minute)})
		if bad.Status != 422 || bad.Map(t)["field"] != "end_at" {
			t.Fatalf("end_at before start_at: %d %s", bad.Status, bad.Body)
		}
		var r struct {
			Status       string     `json:"status"`
			NextWindowAt *time.Time `json:"next_window_at"`
			StartAt      *time.Time `json:"start_at"`
		}
		s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.5-alpine", "update_strategy": "staged",
			"start_at": start}).JSON(t, &r)
		if r.Status != "waiting_for_window" || r.NextWindowAt == nil || !r.NextWindowAt.Equal(start) || !r.StartAt.Equal(start) {
			t.Fatalf("created: %+v", r)
		}
	})
}

// A device that starts to run the repository during a rollout joins its
// last batch, and the rollout takes it to the new image too.
func TestNewDeviceJoinsRollout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(_, _ string, _ time.Duration) map[string]any { return healthy() })
		closed := fmt.Sprintf("0 %d * * *", (time.Now().UTC().Hour()+12)%24)
		id := pushRedis(t, s, map[string]any{"batch_size": 1, "maintenance_windows": []map[string]any{{"cron": closed, "duration": "1h"}}})
		f.add(t, "d3")
		var r struct {
			TotalDevices int `json:"total_devices"`
			TotalBatches int `json:"total_batches"`
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &r)
		if d := deviceRows(t, s, id)["d3"]; r.TotalDevices != 3 || r.TotalBatches != 2 || d.Status != "pending" {
			t.Fatalf("after d3 turned up: %+v, d3 %+v", r, d)
		}
		s.Must(200, "PUT", "/api/v1/policies/1", map[string]any{"maintenance_windows": []any{}})
		done := f.until(t, id, "ended", ended)
		if done.Status != "completed" || done.Counts["succeeded"] != 3 {
			t.Fatalf("ended: %+v", done)
		}
	})
}

// Target-state answers suggest the next poll, with jitter: within ±20% of
// 5 minutes when idle, of 15 s while the device is in an active batch.
func TestPollPacing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL)
		f := newSimDevices(t, s, 1, func(_, _ string, _ time.Duration) map[string]any { return healthy() })
		poll := func() int {
			var ts struct {
				PollAfter int `json:"poll_after_seconds"`
			}
			s.Do("GET", "/api/v1/devices/d1/target-state", f.keys["d1"], nil).JSON(t, &ts)
			return ts.PollAfter
		}
		if p := poll(); p < 240 || p > 360 {
			t.Fatalf("idle: poll after %d s", p)
		}
		pushRedis(t, s, nil) // no monitor: d1 stays updating
		if p := poll(); p < 12 || p > 18 {
			t.Fatalf("in an active batch: poll after %d s", p)
		}
	})
}

// Cancelling a rollout settles its devices: none is left updating, and
// those never told to update are skipped.
func TestCancelSettlesDevices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 3, func(_, _ string, _ time.Duration) map[string]any {
			return map[string]any{"status": "running", "health": "starting", "message": "warming up"}
		})
		id := pushRedis(t, s, nil)
		f.until(t, id, "judging batch 1", func(r rolloutView) bool { return r.Counts["updating"] == 2 })
		f.step(t)
		time.Sleep(5 * tickEvery)
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/cancel", id), nil)
		rows := deviceRows(t, s, id)
		for _, uuid := range []string{"d1", "d2"} {
			if d := rows[uuid]; d.Status != "cancelled" || d.Message != "warming up" || !strings.Contains(d.Error, "cancelled") {
				t.Errorf("%s: %+v", uuid, d)
			}
		}
		if d := rows["d3"]; d.Status != "skipped" {
			t.Errorf("d3: %+v", d)
		}
	})
}

// max_devices_per_minute holds devices of a batch back: with 1 a minute,
// one of two starts, the other waits.
func TestRateHoldsDevicesBack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 2, func(_, _ string, _ time.Duration) map[string]any { return healthy() })
		id := pushRedis(t, s, map[string]any{"max_devices_per_minute": 1})
		r := f.until(t, id, "judged the first device", func(r rolloutView) bool { return r.Counts["succeeded"] == 1 })
		for range 5 {
			f.step(t)
			time.Sleep(5 * tickEvery)
		}
		if r = getRollout(t, s, id); r.Status != "in_progress" || r.Counts["succeeded"] != 1 || r.Counts["pending"] != 1 {
			t.Fatalf("within the minute: %+v", r)
		}
	})
}

// With max_retries, a device whose first attempt fails is sent the target
// again after the backoff; its second attempt succeeds, and so does the
// rollout.
func TestRetrySendsTargetAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		var f *simDevices
		f = newSimDevices(t, s, 1, func(uuid, _ string, _ time.Duration) map[string]any {
			if f.attempt[uuid] < 2 {
				return map[string]any{"status": "exited", "exit_code": 1, "message": "flaky start"}
			}
			return healthy()
		})
		id := pushRedis(t, s, map[string]any{"max_retries": 1, "retry_backoff_seconds": 1})
		r := f.until(t, id, "ended", ended)
		var page struct {
			Items []struct {
				Outcome  string `json:"outcome"`
				Attempts int    `json:"attempts"`
				Message  string `json:"message"`
			}
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices", id), nil).JSON(t, &page)
		if r.Status != "completed" || len(page.Items) != 1 || page.Items[0].Attempts != 2 || page.Items[0].Outcome != "succeeded" {
			t.Fatalf("ended: %+v, devices %+v", r, page.Items)
		}
	})
}

// The canary batch gates on its own, its size its minimum sample: one
// failing canary stops the rollout though min_devices_for_threshold is 5.
func TestCanaryGates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 3, func(uuid, _ string, _ time.Duration) map[string]any {
			if uuid == "d1" {
				return map[string]any{"status": "failed", "message": "canary died"}
			}
			return healthy()
		})
		id := pushRedis(t, s, map[string]any{"update_strategy": "canary", "canary_size": 1, "min_devices_for_threshold": 5})
		r := f.until(t, id, "ended", ended)
		if r.Status != "rolled_back" || r.Counts["skipped"] != 2 || !strings.Contains(r.Reason, "canary") {
			t.Fatalf("ended: %+v", r)
		}
	})
}

// A device may defer the update (an update lock) up to defer_timeout_seconds;
// deferring longer times it out.
func TestDeferralTimesOut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		f := newSimDevices(t, s, 1, func(_, _ string, _ time.Duration) map[string]any {
			return map[string]any{"status": "deferred", "message": "user session active"}
		})
		id := pushRedis(t, s, map[string]any{"defer_timeout_seconds": 1, "auto_rollback": false})
		f.until(t, id, "deferred", func(r rolloutView) bool { return r.Counts["deferred"] == 1 })
		r := f.until(t, id, "ended", ended)
		d := deviceRows(t, s, id)["d1"]
		if r.Status != "failed" || d.Outcome != "timed_out" || d.Message != "user session active" || !strings.Contains(d.Error, "defer") {
			t.Fatalf("ended: %+v, d1 %+v", r, d)
		}
	})
}
