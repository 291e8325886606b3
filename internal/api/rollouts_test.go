package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// simFleet is a handful of devices driven by hand: each converge makes every
// device fetch its target state and report it back, as its agent would.
type simFleet struct {
	t    *testing.T
	s    *apitest.Server
	keys map[string]string // uuid → device key
	// verdict says how a device fares running an image: its status and health.
	verdict func(uuid, image string) (string, bool)
}

// newSimFleet provisions n devices dev-1…dev-n, each running image as app "cache".
func newSimFleet(t *testing.T, s *apitest.Server, n int, image string) *simFleet {
	f := &simFleet{t: t, s: s, keys: map[string]string{},
		verdict: func(string, string) (string, bool) { return "running", true }}
	for i := 1; i <= n; i++ {
		f.add(fmt.Sprintf("dev-%d", i), nil, map[string]any{"cache": map[string]any{"image": image}})
	}
	return f
}

func (f *simFleet) add(uuid string, labels map[string]string, apps map[string]any) {
	f.t.Helper()
	var d struct {
		APIKey string `json:"api_key"`
	}
	f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "labels": labels}).JSON(f.t, &d)
	// A fleet starts on whatever it runs: the catalogue need not hold it.
	f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": apps, "force": true, "reason": "test fleet"})
	f.keys[uuid] = d.APIKey
}

// target returns the images of a device's target state and its version.
func (f *simFleet) target(uuid string) (map[string]string, int) {
	f.t.Helper()
	var ts struct {
		Version int                       `json:"version"`
		Apps    map[string]map[string]any `json:"apps"`
	}
	r := f.s.Do("GET", "/api/v1/devices/"+uuid+"/target-state", f.keys[uuid], nil)
	if r.Status != 200 {
		f.t.Fatalf("poll %s: %d %s", uuid, r.Status, r.Body)
	}
	r.JSON(f.t, &ts)
	images := map[string]string{}
	for name, app := range ts.Apps {
		images[name], _ = app["image"].(string)
	}
	return images, ts.Version
}

// converge makes every device report what its target state says it runs.
func (f *simFleet) converge() {
	f.t.Helper()
	for uuid, key := range f.keys {
		images, _ := f.target(uuid)
		apps := map[string]any{}
		for name, image := range images {
			status, healthy := f.verdict(uuid, image)
			apps[name] = map[string]any{"image": image, "status": status, "healthy": healthy}
		}
		if r := f.s.Do("PATCH", "/api/v1/devices/"+uuid+"/state", key, map[string]any{"apps": apps}); r.Status != 204 {
			f.t.Fatalf("report %s: %d %s", uuid, r.Status, r.Body)
		}
	}
}

// tick runs one monitor tick.
func tick(t *testing.T, s *apitest.Server) {
	t.Helper()
	if err := s.Svc.MonitorTick(context.Background()); err != nil {
		t.Fatalf("monitor tick: %v", err)
	}
}

// rolloutState is what the tests read of a rollout.
type rolloutState struct {
	ID           int64          `json:"id"`
	Status       string         `json:"status"`
	CurrentBatch int            `json:"current_batch"`
	TotalBatches int            `json:"total_batches"`
	TotalDevices int            `json:"total_devices"`
	Image        string         `json:"image"`
	Reason       string         `json:"reason"`
	Counts       map[string]int `json:"counts"`
	Batches      []struct {
		Batch  int            `json:"batch"`
		Total  int            `json:"total"`
		Counts map[string]int `json:"counts"`
	} `json:"batches"`
}

func getRollout(t *testing.T, s *apitest.Server, id int64) rolloutState {
	t.Helper()
	var r rolloutState
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &r)
	return r
}

// runUntil converges the fleet and ticks until the rollout leaves the
// active statuses, and returns it.
func runUntil(t *testing.T, f *simFleet, id int64) rolloutState {
	t.Helper()
	for range 20 {
		f.converge()
		tick(t, f.s)
		if r := getRollout(t, f.s, id); r.Status != "in_progress" && r.Status != "paused" {
			return r
		}
	}
	t.Fatalf("rollout %d did not finish: %+v", id, getRollout(t, f.s, id))
	return rolloutState{}
}

func approveRedis(t *testing.T, s *apitest.Server) {
	t.Helper()
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
}

func pushImage(s *apitest.Server, image string) apitest.Response {
	return s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "", map[string]any{"image": image})
}

// pushed pushes image and returns the rollout of the answer.
func pushed(t *testing.T, s *apitest.Server, image string) (rolloutState, string) {
	t.Helper()
	r := pushImage(s, image)
	if r.Status != 200 {
		t.Fatalf("push %s: %d %s", image, r.Status, r.Body)
	}
	var body struct {
		Rollout *rolloutState `json:"rollout"`
		Reason  string        `json:"reason"`
	}
	r.JSON(t, &body)
	if body.Rollout == nil {
		return rolloutState{}, body.Reason
	}
	return *body.Rollout, body.Reason
}

func TestStagedRolloutFromWebhook(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 2,
			"health_check_timeout_seconds": 60})
		f := newSimFleet(t, s, 6, "redis:7.4-alpine")
		f.add("on-target", nil, map[string]any{"cache": map[string]any{"image": "redis:7.5-alpine"}})
		f.add("other", nil, map[string]any{"web": map[string]any{"image": "nginx:1.27"}})
		f.add("two-apps", nil, map[string]any{"a": map[string]any{"image": "redis:7"}, "b": map[string]any{"image": "redis:6"}})

		ro, reason := pushed(t, s, "docker.io/library/redis:7.5-alpine")
		if ro.ID == 0 || reason != "" || ro.Status != "in_progress" || ro.CurrentBatch != 1 || ro.TotalBatches != 4 ||
			ro.TotalDevices != 8 || ro.Image != "docker.io/library/redis:7.5-alpine" {
			t.Fatalf("rollout %+v, reason %q", ro, reason)
		}
		// Batch 1 is dev-1 and dev-2 (stable order); the others wait.
		for uuid, want := range map[string]string{"dev-1": "7.5-alpine", "dev-2": "7.5-alpine", "dev-3": "7.4-alpine", "two-apps": "7"} {
			images, _ := f.target(uuid)
			if got := images["cache"] + images["a"]; !strings.HasSuffix(got, ":"+want) {
				t.Errorf("%s runs %s, want tag %s", uuid, got, want)
			}
		}
		again, reason := pushed(t, s, "redis:7.5-alpine")
		if again.ID != ro.ID || !strings.Contains(reason, "already exists") {
			t.Fatalf("repeated push: %+v, %q", again, reason)
		}

		done := runUntil(t, f, ro.ID)
		if done.Status != "completed" || done.Counts["succeeded"] != 8 || len(done.Batches) != 4 || done.Batches[3].Total != 2 {
			t.Fatalf("finished: %+v", done)
		}
		for uuid := range f.keys {
			images, version := f.target(uuid)
			wantVersion := map[string]int{"on-target": 1, "other": 1}[uuid]
			if wantVersion == 0 {
				wantVersion = 2 // set once by the test, once by the rollout
			}
			if version != wantVersion {
				t.Errorf("%s: target version %d, want %d", uuid, version, wantVersion)
			}
			for app, image := range images {
				if uuid != "other" && image != "docker.io/library/redis:7.5-alpine" {
					t.Errorf("%s/%s runs %s", uuid, app, image)
				}
			}
		}
		for typ, want := range map[string]int{"image.rollout_created": 1, "image.rollout_started": 1, "image.rollout_batch_started": 4,
			"image.rollout_batch_completed": 4, "image.rollout_completed": 1} {
			if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = $1 AND subject = $2`, typ, fmt.Sprintf("rollout/%d", ro.ID)); n != want {
				t.Errorf("%d %s events, want %d", n, typ, want)
			}
		}
		checkStagedBatches(t, s, ro.ID)
	})
}

func TestFailingReleaseRollsBack(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": 2, "failure_threshold_percent": 50})
		f := newSimFleet(t, s, 6, "redis:7.4-alpine")
		f.verdict = func(uuid, image string) (string, bool) {
			if strings.HasSuffix(image, ":7.5-alpine") && uuid != "dev-1" {
				return "exited", false
			}
			return "running", true
		}
		ro, _ := pushed(t, s, "redis:7.5-alpine")
		done := runUntil(t, f, ro.ID)
		if done.Status != "rolled_back" || done.Counts["rolled_back"] != 2 || done.Counts["skipped"] != 4 ||
			!strings.Contains(done.Reason, "1 of 2 judged devices failed") {
			t.Fatalf("finished: %+v", done)
		}
		for uuid := range f.keys {
			if images, _ := f.target(uuid); images["cache"] != "docker.io/library/redis:7.4-alpine" {
				t.Errorf("%s left on %s", uuid, images["cache"])
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = 'image.rollout_rolled_back'`); n != 1 {
			t.Fatalf("%d rolled_back events", n)
		}
	})
}

func TestFailuresWithoutAutoRollbackStop(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": 1, "auto_rollback": false,
			"min_devices_for_threshold": 2})
		f := newSimFleet(t, s, 4, "redis:7.4-alpine")
		f.verdict = func(uuid, image string) (string, bool) { // unhealthy alone would wait out the health grace
			if uuid == "dev-2" {
				return "failed", false
			}
			return "running", true
		}
		ro, _ := pushed(t, s, "redis:7.5-alpine")
		done := runUntil(t, f, ro.ID)
		if done.Status != "failed" || done.Counts["succeeded"] != 1 || done.Counts["failed"] != 1 || done.Counts["skipped"] != 2 {
			t.Fatalf("finished: %+v", done)
		}
		// Devices keep what they have; a rollback can still be asked for.
		if images, _ := f.target("dev-2"); images["cache"] != "docker.io/library/redis:7.5-alpine" {
			t.Fatalf("dev-2 runs %s", images["cache"])
		}
		s.Must(409, "POST", fmt.Sprintf("/api/v1/rollouts/%d/resume", ro.ID), nil)
		back := s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/rollback", ro.ID), map[string]any{"reason": "bad release"}).Map(t)
		if back["status"] != "rolled_back" || back["reason"] != "bad release" {
			t.Fatalf("rollback: %v", back)
		}
		for _, uuid := range []string{"dev-1", "dev-2", "dev-3"} {
			if images, _ := f.target(uuid); images["cache"] != "docker.io/library/redis:7.4-alpine" {
				t.Errorf("%s runs %s after the rollback", uuid, images["cache"])
			}
		}
	})
}

func TestSilentDevicesTimeOut(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.DB.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "update_strategy": "immediate",
			"health_check_timeout_seconds": 120, "auto_rollback": false})
		newSimFleet(t, s, 3, "redis:7.4-alpine")
		ro, _ := pushed(t, s, "redis:7.5-alpine")
		advance(119 * time.Second)
		tick(t, s)
		if r := getRollout(t, s, ro.ID); r.Status != "in_progress" || r.Counts["updating"] != 3 {
			t.Fatalf("before the timeout: %+v", r)
		}
		advance(time.Second)
		tick(t, s)
		r := getRollout(t, s, ro.ID)
		if r.Status != "failed" || r.Counts["timed_out"] != 3 {
			t.Fatalf("after the timeout: %+v", r)
		}
		var errs []string
		var devices struct{ Items []struct{ Error string } }
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices?status=timed_out", ro.ID), nil).JSON(t, &devices)
		for _, d := range devices.Items {
			errs = append(errs, d.Error)
		}
		if len(errs) != 3 || !strings.Contains(errs[0], "within 2m0s") {
			t.Fatalf("errors: %q", errs)
		}
	})
}

func TestManualRolloutPauseResume(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := newSimFleet(t, s, 6, "iotistic/agent:v2.0.0")
		created := s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v2.1.0",
			"update_strategy": "manual", "batch_size": 2, "batch_delay_seconds": 0}).Map(t)
		id := int64(created["id"].(float64))
		if created["status"] != "pending" || created["total_batches"] != 3.0 || created["trigger"] != "manual/bootstrap-admin" {
			t.Fatalf("created: %v", created)
		}
		f.converge()
		tick(t, s) // a pending rollout waits for its start
		if images, _ := f.target("dev-1"); images["cache"] != "docker.io/iotistic/agent:v2.0.0" {
			t.Fatalf("manual rollout changed dev-1 before its start: %s", images["cache"])
		}
		s.Must(409, "POST", fmt.Sprintf("/api/v1/rollouts/%d/pause", id), nil)
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/start", id), nil)
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/pause", id), `{"reason": "hold on"}`)

		for range 3 { // batch 1 is judged while paused; batch 2 does not start
			f.converge()
			tick(t, s)
		}
		r := getRollout(t, s, id)
		if r.Status != "paused" || r.CurrentBatch != 1 || r.Counts["succeeded"] != 2 || r.Counts["pending"] != 4 {
			t.Fatalf("paused: %+v", r)
		}
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/resume", id), nil)
		if done := runUntil(t, f, id); done.Status != "completed" || done.Counts["succeeded"] != 6 {
			t.Fatalf("resumed: %+v", done)
		}
		for _, action := range []string{"start", "pause", "resume", "cancel"} {
			r := s.Do("POST", fmt.Sprintf("/api/v1/rollouts/%d/%s", id, action), apitest.AdminToken, nil)
			if r.Status != 409 || !strings.Contains(string(r.Body), "completed rollout") {
				t.Errorf("%s a completed rollout: %d %s", action, r.Status, r.Body)
			}
		}
		for _, typ := range []string{"image.rollout_paused", "image.rollout_resumed"} {
			if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = $1`, typ); n != 1 {
				t.Errorf("%d %s events", n, typ)
			}
		}
	})
}

func TestCancelKeepsWhatDevicesHave(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := newSimFleet(t, s, 4, "iotistic/agent:v1")
		created := s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v2", "batch_size": 2,
			"batch_delay_minutes": 10}).Map(t)
		id := int64(created["id"].(float64))
		f.converge()
		tick(t, s)
		got := s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/cancel", id), nil).Map(t)
		counts := got["counts"].(map[string]any)
		if got["status"] != "cancelled" || got["completed_at"] == nil || counts["succeeded"] != 2.0 || counts["skipped"] != 2.0 {
			t.Fatalf("cancelled: %v", got)
		}
		if images, _ := f.target("dev-1"); images["cache"] != "docker.io/iotistic/agent:v2" {
			t.Fatalf("cancel changed dev-1: %s", images["cache"])
		}
		if images, _ := f.target("dev-3"); images["cache"] != "docker.io/iotistic/agent:v1" {
			t.Fatalf("cancel updated dev-3: %s", images["cache"])
		}
		tick(t, s)
		if r := getRollout(t, s, id); r.Status != "cancelled" {
			t.Fatalf("monitor moved a cancelled rollout: %+v", r)
		}
	})
}

func TestNewerTagSupersedes(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": 1, "batch_delay_minutes": 60})
		f := newSimFleet(t, s, 3, "redis:7.4-alpine")
		first, _ := pushed(t, s, "redis:7.5-alpine")
		f.converge()
		tick(t, s) // batch 1 done; batch 2 waits an hour
		second, _ := pushed(t, s, "redis:7.6-alpine")
		old := getRollout(t, s, first.ID)
		if old.Status != "superseded" || old.Counts["succeeded"] != 1 || old.Counts["skipped"] != 2 ||
			!strings.Contains(old.Reason, fmt.Sprintf("rollout %d", second.ID)) {
			t.Fatalf("first after the second push: %+v", old)
		}
		if second.Status != "in_progress" || second.TotalDevices != 3 {
			t.Fatalf("second: %+v", second)
		}
		var devices struct {
			Items []struct {
				DeviceUUID    string `json:"device_uuid"`
				PreviousImage string `json:"previous_image"`
			} `json:"items"`
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices", second.ID), nil).JSON(t, &devices)
		if devices.Items[0].DeviceUUID != "dev-1" || devices.Items[0].PreviousImage != "docker.io/library/redis:7.5-alpine" {
			t.Fatalf("second's devices: %+v", devices.Items)
		}
		if images, _ := f.target("dev-2"); images["cache"] != "docker.io/library/redis:7.4-alpine" {
			t.Fatalf("dev-2 runs %s: the superseded rollout touched it", images["cache"])
		}
	})
}

func TestPushWithoutRollout(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		newSimFleet(t, s, 2, "redis:7.4-alpine")
		cases := []struct {
			setup  func()
			image  string
			reason string
		}{
			{func() {}, "redis:7.5-alpine", "no policy matches redis:7.5-alpine"},
			{func() {
				s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:7*", "enabled": false})
			}, "redis:7.6-alpine", "policy 1 (redis:7*) matches redis but is disabled"},
			{func() {
				s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "tag_constraint": ">= 7, < 8"})
			}, "redis:8.0", `tag 8.0 does not satisfy the tag_constraint ">= 7, < 8" of policy 2 (redis)`},
			{func() {
				s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:7.4*"})
			}, "redis:7.4-alpine", "no devices need docker.io/library/redis:7.4-alpine"},
			{func() {
				s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:6*",
					"device_filter": map[string]any{"labels": map[string]string{"site": "mars"}}})
			}, "redis:6.2", "no devices need docker.io/library/redis:6.2"},
		}
		for _, c := range cases {
			c.setup()
			ro, reason := pushed(t, s, c.image)
			if ro.ID != 0 || reason != c.reason {
				t.Errorf("push %s: rollout %+v, reason %q; want %q", c.image, ro, reason, c.reason)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM image_update_rollouts`); n != 0 {
			t.Fatalf("%d rollouts", n)
		}
	})
}

func TestConcurrentPushesMakeOneRollout(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis"})
		newSimFleet(t, s, 3, "redis:7.4-alpine")
		var wg sync.WaitGroup
		ids := make([]int64, 200)
		for i := range ids {
			wg.Go(func() {
				r := pushImage(s, "redis:7.5-alpine")
				var body struct {
					Rollout *rolloutState `json:"rollout"`
				}
				if r.Status != 200 {
					t.Errorf("push: %d %s", r.Status, r.Body)
					return
				}
				if r.JSON(t, &body); body.Rollout != nil {
					ids[i] = body.Rollout.ID
				}
			})
		}
		wg.Wait()
		if slices.Contains(ids, 0) || slices.Min(ids) != slices.Max(ids) {
			t.Fatalf("rollout ids answered: %v", slices.Compact(slices.Sorted(slices.Values(ids))))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM image_update_rollouts`); n != 1 {
			t.Fatalf("%d rollouts", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = 'image.rollout_created'`); n != 1 {
			t.Fatalf("%d rollout_created events", n)
		}
		if n := count(t, s, `SELECT MAX(version) FROM device_target_state`); n != 2 {
			t.Fatalf("target version %d: a device was updated more than once", n)
		}
	})
}

func TestRolloutAPIValidation(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		newSimFleet(t, s, 2, "iotistic/agent:v1")
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "iotistic/*", "update_strategy": "manual"})
		viewer := s.Token("viewer")
		if r := s.Do("POST", "/api/v1/rollouts", viewer, map[string]any{"image": "iotistic/agent:v2"}); r.Status != 403 {
			t.Fatalf("viewer created a rollout: %d", r.Status)
		}
		first := s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v2", "policy_id": 1}).Map(t)
		if first["status"] != "pending" || first["policy_id"] != 1.0 {
			t.Fatalf("from policy 1: %v", first)
		}
		cases := []errorCase{
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v2"}, 409, ""},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v1"}, 422, ""},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "Bad Image"}, 422, "image"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent"}, 422, "image"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v3", "policy_id": 9}, 422, "policy_id"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v3", "batch_size": -1}, 422, "batch_size"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v3", "batch_size": "x"}, 422, "batch_size"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v3", "update_strategy": "yolo"}, 422, "update_strategy"},
			{"POST", "/api/v1/rollouts/1/start", `{"reason": 5}`, 422, "reason"},
			{"POST", "/api/v1/rollouts/1/resume", nil, 409, ""},
			{"POST", "/api/v1/rollouts/1/rollback", nil, 409, ""},
			{"POST", "/api/v1/rollouts/99/start", nil, 404, ""},
			{"GET", "/api/v1/rollouts/99", nil, 404, ""},
			{"GET", "/api/v1/rollouts/99/devices", nil, 404, ""},
			{"GET", "/api/v1/rollouts?status=bogus", nil, 422, "status"},
			{"GET", "/api/v1/rollouts/1/devices?status=bogus", nil, 422, "status"},
			{"GET", "/api/v1/rollouts?limit=-1", nil, 422, "limit"},
		}
		checkErrors(t, s, cases)
		s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v3", "device_filter": map[string]any{"uuids": []string{"dev-2"}}})
		var all struct {
			Items []rolloutState `json:"items"`
			Total int            `json:"total"`
		}
		r := s.Do("GET", "/api/v1/rollouts?status=in_progress&image=iotistic/agent", viewer, nil)
		r.JSON(t, &all)
		if r.Status != 200 || all.Total != 1 || all.Items[0].TotalDevices != 1 || all.Items[0].Counts["updating"] != 1 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		s.Must(200, "GET", "/api/v1/rollouts?limit=1", nil).JSON(t, &all)
		if all.Total != 2 || len(all.Items) != 1 || all.Items[0].ID != 2 || all.Items[0].Counts["pending"] != 0 {
			t.Fatalf("newest first, paged: %+v", all)
		}
	})
}

// checkStagedBatches: the devices of batches 3 and 4 of the staged rollout
// id, with what they ran before.
func checkStagedBatches(t *testing.T, s *apitest.Server, id int64) {
	t.Helper()
	var devices struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices?batch=3", id), nil).JSON(t, &devices)
	if devices.Total != 2 || devices.Items[0]["device_uuid"] != "dev-5" || devices.Items[0]["previous_image"] != "docker.io/library/redis:7.4-alpine" {
		t.Fatalf("batch 3 devices: %+v", devices)
	}
	// A device running the repository in two apps is one device of one batch.
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices?batch=4", id), nil).JSON(t, &devices)
	if devices.Total != 2 || devices.Items[0]["app"] != "a" || devices.Items[1]["previous_image"] != "docker.io/library/redis:6" {
		t.Fatalf("batch 4 devices: %+v", devices)
	}
}
