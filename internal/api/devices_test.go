package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// newDevice creates a device and returns its uuid and key.
func newDevice(t *testing.T, s *apitest.Server, body map[string]any) (string, string) {
	t.Helper()
	var d struct {
		UUID   string `json:"uuid"`
		APIKey string `json:"api_key"`
	}
	s.Must(201, "POST", "/api/v1/devices", body).JSON(t, &d)
	if d.UUID == "" || !strings.HasPrefix(d.APIKey, "dk_") || len(d.APIKey) < 40 {
		t.Fatalf("provisioned device: %+v", d)
	}
	return d.UUID, d.APIKey
}

func targetPath(uuid string) string { return "/api/v1/devices/" + uuid + "/target-state" }
func statePath(uuid string) string  { return "/api/v1/devices/" + uuid + "/state" }

func TestTargetStatePollWithETag(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, keyA := newDevice(t, s, map[string]any{"uuid": "dev-a", "name": "A", "labels": map[string]string{"site": "x"}})
		newDevice(t, s, map[string]any{"name": "B"})

		first := s.Do("GET", targetPath(a), keyA, nil)
		if first.Status != 200 || first.Header.Get("ETag") == "" || first.Map(t)["version"] != 0.0 {
			t.Fatalf("poll before any target state: %d %v %s", first.Status, first.Header, first.Body)
		}
		put := s.Must(200, "PUT", targetPath(a), `{"apps": {"cache": {"image": "redis:7.5-alpine", "env": {"A": "1"}, "ports": [6379]}}, "force": true, "reason": "test"}`).Map(t)
		if put["version"] != 1.0 {
			t.Fatalf("put answer: %v", put)
		}

		poll := s.Do("GET", targetPath(a), keyA, nil)
		etag := poll.Header.Get("ETag")
		if poll.Status != 200 || etag == "" || etag == first.Header.Get("ETag") || !strings.HasPrefix(etag, `"`) {
			t.Fatalf("poll: %d etag %q: %s", poll.Status, etag, poll.Body)
		}
		want := `{"version":1,"apps":{"cache":{"env":{"A":"1"},"image":"docker.io/library/redis:7.5-alpine","ports":[6379]}},"poll_after_seconds":`
		if got := strings.TrimSpace(string(poll.Body)); !strings.HasPrefix(got, want) {
			t.Fatalf("body\n got %s\nwant %s", got, want)
		}

		again := s.Do("GET", targetPath(a), keyA, nil, "If-None-Match", etag)
		if again.Status != 304 || len(again.Body) != 0 || again.Header.Get("ETag") != etag {
			t.Fatalf("conditional poll: %d %q %v", again.Status, again.Body, again.Header)
		}
		listed := s.Do("GET", targetPath(a), keyA, nil, "If-None-Match", `"other", W/`+etag)
		if listed.Status != 304 {
			t.Fatalf("If-None-Match list: %d", listed.Status)
		}

		s.Must(200, "PUT", targetPath(a), map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.6-alpine"}}, "force": true, "reason": "test"})
		changed := s.Do("GET", targetPath(a), keyA, nil, "If-None-Match", etag)
		if changed.Status != 200 || changed.Header.Get("ETag") == etag || changed.Map(t)["version"] != 2.0 {
			t.Fatalf("after change: %d %v %s", changed.Status, changed.Header, changed.Body)
		}
		var events int
		if err := s.DB.QueryInt(context.Background(), &events,
			`SELECT COUNT(*) FROM events WHERE type = 'device.target_state_changed' AND subject = 'device/dev-a'`); err != nil || events != 2 {
			t.Fatalf("target state events: %d, %v", events, err)
		}
	})
}

func TestDeviceKeysAreConfined(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, keyA := newDevice(t, s, map[string]any{"uuid": "a"})
		b, keyB := newDevice(t, s, map[string]any{"uuid": "b"})
		s.Must(200, "PUT", targetPath(a), map[string]any{"apps": map[string]any{"web": map[string]any{"image": "nginx:1.27"}}, "force": true, "reason": "test"})
		report := map[string]any{"apps": map[string]any{"web": map[string]any{"image": "evil:1", "status": "running", "healthy": true}}}

		cases := []struct {
			name, method, path, key string
			body                    any
			status                  int
		}{
			{"B reads A", "GET", targetPath(a), keyB, nil, 403},
			{"B reports for A", "PATCH", statePath(a), keyB, report, 403},
			{"no key reads", "GET", targetPath(a), "", nil, 401},
			{"no key reports", "PATCH", statePath(a), "", report, 401},
			{"unknown key", "GET", targetPath(a), "dk_nope", nil, 401},
			{"admin token is no device key", "GET", targetPath(a), apitest.AdminToken, nil, 401},
			{"A's key for an unknown device", "GET", targetPath("ghost"), keyA, nil, 403},
			{"device key on an admin route", "PUT", targetPath(b), keyB, map[string]any{"apps": map[string]any{}}, 401},
			{"device key on a viewer route", "GET", "/api/v1/devices/" + b, keyB, nil, 401},
			{"B reads its own", "GET", targetPath(b), keyB, nil, 200},
		}
		for _, c := range cases {
			if r := s.Do(c.method, c.path, c.key, c.body); r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
			}
		}
		got := s.Must(200, "GET", "/api/v1/devices/"+a, nil).Map(t)
		if got["current_state"] != nil {
			t.Fatalf("A's state was written by B: %v", got["current_state"])
		}

		rotated := s.Must(200, "POST", "/api/v1/devices/"+a+"/rotate-key", nil).Map(t)
		newKey, _ := rotated["api_key"].(string)
		if newKey == "" || newKey == keyA {
			t.Fatalf("rotated: %v", rotated)
		}
		if r := s.Do("GET", targetPath(a), keyA, nil); r.Status != 401 {
			t.Fatalf("old key after rotation: %d", r.Status)
		}
		if r := s.Do("GET", targetPath(a), newKey, nil); r.Status != 200 {
			t.Fatalf("new key: %d %s", r.Status, r.Body)
		}
	})
}

func TestDeviceReportAndOnline(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, keyA := newDevice(t, s, map[string]any{"uuid": "a", "labels": map[string]string{"fleet": "sim", "site": "x"}})
		newDevice(t, s, map[string]any{"uuid": "b", "labels": map[string]string{"fleet": "sim"}})
		newDevice(t, s, map[string]any{"uuid": "c"})
		s.Must(200, "PUT", targetPath(a), map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.5-alpine"}}, "force": true, "reason": "test"})

		r := s.Do("PATCH", statePath(a), keyA, map[string]any{
			"apps":    map[string]any{"cache": map[string]any{"image": "redis:7.5-alpine", "status": "Running", "healthy": true}},
			"metrics": map[string]any{"cpu_percent": 12.5, "memory_percent": 40.1, "uptime_seconds": 3600},
		})
		if r.Status != 204 {
			t.Fatalf("report: %d %s", r.Status, r.Body)
		}
		d := s.Must(200, "GET", "/api/v1/devices/"+a, nil).Map(t)
		cur, _ := d["current_state"].(map[string]any)
		app, _ := cur["apps"].(map[string]any)["cache"].(map[string]any)
		metrics, _ := cur["metrics"].(map[string]any)
		if d["online"] != true || d["last_seen_at"] == nil || cur["reported_at"] == nil || app["status"] != "running" ||
			app["image"] != "docker.io/library/redis:7.5-alpine" || app["healthy"] != true || metrics["cpu_percent"] != 12.5 {
			t.Fatalf("device detail: %v", d)
		}
		if ts := d["target_state"].(map[string]any); ts["version"] != 1.0 || d["rollouts"] == nil {
			t.Fatalf("detail target state / rollouts: %v", d)
		}
		var cpu int
		if err := s.DB.QueryInt(context.Background(), &cpu, `SELECT CAST(cpu_percent * 10 AS INTEGER) FROM device_current_state WHERE device_uuid = 'a'`); err != nil || cpu != 125 {
			t.Fatalf("cpu_percent column: %d %v", cpu, err)
		}

		for query, want := range map[string]string{
			"":                         "a,b,c",
			"?online=true":             "a",
			"?online=false":            "b,c",
			"?labels=fleet=sim":        "a,b",
			"?labels=fleet=sim,site=x": "a",
			"?labels=fleet=other":      "",
			"?limit=1&offset=1":        "b",
		} {
			var got struct {
				Items []struct{ UUID string }
				Total int
			}
			s.Must(200, "GET", "/api/v1/devices"+query, nil).JSON(t, &got)
			var uuids []string
			for _, it := range got.Items {
				uuids = append(uuids, it.UUID)
			}
			if strings.Join(uuids, ",") != want {
				t.Errorf("list %q: %v (total %d), want %s", query, uuids, got.Total, want)
			}
		}
	})
}

// A poll marks its device seen, in the background and at most so often.
func TestPollMarksDeviceSeen(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, key := newDevice(t, s, map[string]any{})
		for range 3 {
			s.Do("GET", targetPath(a), key, nil)
		}
		deadline := time.Now().Add(5 * time.Second)
		for s.Must(200, "GET", "/api/v1/devices/"+a, nil).Map(t)["online"] != true {
			if time.Now().After(deadline) {
				t.Fatal("device polled but never online")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

func TestDeviceBadInput(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, key := newDevice(t, s, map[string]any{"uuid": "a"})
		s.Must(200, "PUT", targetPath(a), map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.5-alpine"}}, "force": true, "reason": "test"})
		big := `{"apps": {"x": {"image": "redis", "blob": "` + strings.Repeat("a", 1<<20) + `"}}}`
		app := func(v any) map[string]any { return map[string]any{"apps": map[string]any{"cache": v}} }
		cases := []badInput{
			{"POST", "/api/v1/devices", "", `{"name": `, 400, ""},
			{"POST", "/api/v1/devices", "", map[string]any{"uuid": "has space"}, 422, "uuid"},
			{"POST", "/api/v1/devices", "", map[string]any{"uuid": "a"}, 409, ""},
			{"POST", "/api/v1/devices", "", map[string]any{"labels": map[string]string{"a,b": "c"}}, 422, "labels"},
			{"POST", "/api/v1/devices", "", map[string]any{"labels": map[string]any{"k": 1}}, 422, "labels"},
			{"POST", "/api/v1/devices", "", map[string]any{"api_key": "mine"}, 422, "api_key"},
			{"PUT", targetPath(a), "", `{"apps": `, 400, ""},
			{"PUT", targetPath(a), "", big, 413, ""},
			{"PUT", targetPath(a), "", map[string]any{}, 422, "apps"},
			{"PUT", targetPath(a), "", map[string]any{"apps": []string{"x"}}, 422, "apps"},
			{"PUT", targetPath(a), "", app("redis"), 422, "apps.cache"},
			{"PUT", targetPath(a), "", app(map[string]any{"env": map[string]string{}}), 422, "apps.cache.image"},
			{"PUT", targetPath(a), "", app(map[string]any{"image": 7}), 422, "apps.cache.image"},
			{"PUT", targetPath(a), "", app(map[string]any{"image": "Not A Ref!"}), 422, "apps.cache.image"},
			{"PUT", targetPath(a), "", map[string]any{"apps": map[string]any{"bad name": map[string]any{"image": "redis"}}}, 422, "apps"},
			{"PUT", targetPath(a), "", map[string]any{"apps": map[string]any{}, "version": 3}, 422, "version"},
			{"PUT", targetPath("ghost"), "", map[string]any{"apps": map[string]any{}}, 404, ""},
			{"GET", "/api/v1/devices/ghost", "", nil, 404, ""},
			{"DELETE", "/api/v1/devices/ghost", "", nil, 404, ""},
			{"POST", "/api/v1/devices/ghost/rotate-key", "", nil, 404, ""},
			{"GET", "/api/v1/devices?online=maybe", "", nil, 422, "online"},
			{"GET", "/api/v1/devices?labels=novalue", "", nil, 422, "labels"},
			{"PATCH", statePath(a), key, `{"apps"`, 400, ""},
			{"PATCH", statePath(a), key, map[string]any{}, 422, "apps"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "", "status": "running"}), 422, "apps.cache.image"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": ""}), 422, "apps.cache.status"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": "running", "healthy": "yes"}), 422, "apps.cache.healthy"},
			{"PATCH", statePath(a), key, map[string]any{"apps": map[string]any{}, "uuid": "b"}, 422, "uuid"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": "running", "health": "sick"}), 422, "apps.cache.health"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": "running", "restart_count": -1}), 422, "apps.cache.restart_count"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": "exited", "exit_code": "one"}), 422, "apps.cache.exit_code"},
			{"PATCH", statePath(a), key, app(map[string]any{"image": "redis", "status": "exited", "message": 5}), 422, "apps.cache.message"},
			{"PATCH", statePath(a), key, `{"apps": {}, "metrics": {"x": "` + strings.Repeat("a", 1<<20) + `"}}`, 413, ""},
		}
		checkBadInput(t, s, cases)
		// Nothing was half-written: still version 1, no report.
		d := s.Must(200, "GET", "/api/v1/devices/"+a, nil).Map(t)
		if d["target_state"].(map[string]any)["version"] != 1.0 || d["current_state"] != nil {
			t.Fatalf("after bad input: %v", d)
		}
	})
}

func TestDeleteDevice(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, key := newDevice(t, s, map[string]any{"uuid": "a"})
		s.Must(200, "PUT", targetPath(a), map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis"}}, "force": true, "reason": "test"})
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:8", "update_strategy": "manual"})
		s.Must(204, "DELETE", "/api/v1/devices/"+a, nil)
		s.Must(404, "GET", "/api/v1/devices/"+a, nil)
		if r := s.Do("GET", targetPath(a), key, nil); r.Status != 401 {
			t.Fatalf("deleted device's key: %d", r.Status)
		}
		var apps int
		s.DB.QueryInt(context.Background(), &apps, `SELECT COUNT(*) FROM device_target_apps`)
		if apps != 0 {
			t.Fatalf("%d target apps left", apps)
		}
		for _, table := range []string{"rollout_devices", "device_target_state"} { // no foreign keys on PostgreSQL (migration 00014)
			var n int
			s.DB.QueryInt(context.Background(), &n, `SELECT COUNT(*) FROM `+table)
			if n != 0 {
				t.Fatalf("%d rows left in %s", n, table)
			}
		}
		// The same uuid provisioned again does not take the old ETag.
		_, key2 := newDevice(t, s, map[string]any{"uuid": "a"})
		poll := s.Do("GET", targetPath(a), key2, nil)
		if poll.Status != 200 || poll.Map(t)["version"] != 0.0 {
			t.Fatalf("re-provisioned: %d %s", poll.Status, poll.Body)
		}
	})
}

// badInput is a request that must be refused with status, naming field
// when one is given; key "" sends the admin token.
type badInput struct {
	method, path, key string
	body              any
	status            int
	field             string
}

func checkBadInput(t *testing.T, s *apitest.Server, cases []badInput) {
	t.Helper()
	for _, c := range cases {
		key := c.key
		if key == "" {
			key = apitest.AdminToken
		}
		r := s.Do(c.method, c.path, key, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s %.80v: status %d, want %d: %s", c.method, c.path, c.body, r.Status, c.status, r.Body)
			continue
		}
		if c.field != "" && r.Map(t)["field"] != c.field {
			t.Errorf("%s %s %.80v: field %v, want %s", c.method, c.path, c.body, r.Map(t)["field"], c.field)
		}
	}
}
