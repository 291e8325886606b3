package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/metrics"
)

// scrape reads /metrics into series → value.
func scrape(t *testing.T, s *apitest.Server) map[string]string {
	t.Helper()
	r := s.Admin("GET", "/metrics", nil)
	if r.Status != 200 {
		t.Fatalf("metrics: %d", r.Status)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(r.Body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

// provisionRunning provisions a device running image as app "cache" and returns its key.
func provisionRunning(t *testing.T, s *apitest.Server, uuid, image string) string {
	t.Helper()
	var d struct {
		APIKey string `json:"api_key"`
	}
	s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid}).JSON(t, &d)
	s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": map[string]any{"cache": map[string]any{"image": image}},
		"force": true, "reason": "test setup"})
	return d.APIKey
}

// TestMetricsMoveWithTraffic drives webhooks, polls, reports and a rollout
// and reads the numbers back from /metrics.
func TestMetricsMoveWithTraffic(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		var clock atomic.Int64
		s.API.SetMetricsClock(func() time.Time { return time.Unix(clock.Load(), 0) })
		before := scrape(t, s)
		if before["airlock_rollouts{status=\"in_progress\"}"] != "0" || before["airlock_approval_requests_pending"] != "0" || before["go_goroutines"] == "" {
			t.Fatalf("metrics at start: %v", before)
		}
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "health_check_timeout_seconds": 60})
		key := provisionRunning(t, s, "m-1", "redis:7.4")
		poll := s.Do("GET", "/api/v1/devices/m-1/target-state", key, nil)
		if poll.Status != 200 {
			t.Fatalf("poll: %d", poll.Status)
		}
		if r := s.Do("GET", "/api/v1/devices/m-1/target-state", key, nil, "If-None-Match", poll.Header.Get("ETag")); r.Status != 304 {
			t.Fatalf("conditional poll: %d", r.Status)
		}
		report := map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.4", "status": "running", "healthy": true}}}
		if r := s.Do("PATCH", "/api/v1/devices/m-1/state", key, report); r.Status != 204 {
			t.Fatalf("report: %d", r.Status)
		}
		if r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "", map[string]any{"image": "redis:7.5"}); r.Status != 200 {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
		refusedPush(s)
		if err := s.Svc.MonitorTick(context.Background()); err != nil {
			t.Fatal(err)
		}

		clock.Add(int64(metrics.StatsMaxAge / time.Second))
		m := scrape(t, s)
		for series, want := range map[string]string{
			`airlock_webhook_deliveries_total{outcome="accepted",source="docker-registry"}`:                    "1",
			`airlock_webhook_deliveries_total{outcome="refused",source="docker-registry"}`:                     "1",
			`airlock_webhook_duration_seconds_count{source="docker-registry"}`:                                 "2",
			`airlock_target_state_polls_total{code="200"}`:                                                     "1",
			`airlock_target_state_polls_total{code="304"}`:                                                     "1",
			`airlock_device_reports_total{code="204"}`:                                                         "1",
			`airlock_rollouts{status="in_progress"}`:                                                           "1",
			`airlock_rollout_devices{status="updating"}`:                                                       "1",
			`airlock_approval_requests_pending`:                                                                "1",
			`airlock_http_requests_total{code="201",method="POST",route="/api/v1/images"}`:                     "1",
			`airlock_http_requests_total{code="200",method="GET",route="/metrics"}`:                            "1",
			`airlock_monitor_tick_duration_seconds_count`:                                                      "1",
			`airlock_monitor_leader`:                                                                           "1",
			`airlock_http_request_duration_seconds_count{method="PATCH",route="/api/v1/devices/{uuid}/state"}`: "1",
		} {
			if m[series] != want {
				t.Errorf("%s = %q, want %s", series, m[series], want)
			}
		}
		for series := range m {
			if strings.Contains(series, "m-1") {
				t.Errorf("a raw path in a label: %s", series)
			}
		}
	})
}

// TestMetricsNeedATokenAndReuseCounts: /metrics answers a viewer token or
// the metrics token only, and a flood of scrapes counts the database once
// per metrics.StatsMaxAge.
func TestMetricsNeedATokenAndReuseCounts(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		var clock atomic.Int64
		s.API.SetMetricsClock(func() time.Time { return time.Unix(clock.Load(), 0) })
		const scraper = "mts_scraper-token-0123456789"
		s.API.SetMetricsToken(scraper)
		for who, want := range map[string]int{"": 401, "alk_wrong-token-000000000": 401, scraper: 200, s.Token(airlock.RoleViewer): 200} {
			if r := s.Do("GET", "/metrics", who, nil); r.Status != want {
				t.Errorf("/metrics with token %q: %d, want %d", who, r.Status, want)
			}
		}
		clock.Add(int64(metrics.StatsMaxAge / time.Second))
		pending := func() string { return scrape(t, s)["airlock_approval_requests_pending"] }
		if got := pending(); got != "0" {
			t.Fatalf("pending at start: %q", got)
		}
		refusedPush(s)
		if got := pending(); got != "0" {
			t.Errorf("pending right after a push: %q, want the count reused (0)", got)
		}
		clock.Add(int64(metrics.StatsMaxAge / time.Second))
		if got := pending(); got != "1" {
			t.Errorf("pending %s later: %q, want 1", metrics.StatsMaxAge, got)
		}
	})
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		if r := s.Do("GET", "/readyz", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"ready"`) {
			t.Fatalf("readyz: %d %s", r.Status, r.Body)
		}
		s.DB.Close()
		if r := s.Do("GET", "/readyz", "", nil); r.Status != 503 {
			t.Fatalf("readyz with the database closed: %d %s", r.Status, r.Body)
		}
		if r := s.Do("GET", "/healthz", "", nil); r.Status != 200 {
			t.Fatalf("healthz stays the liveness probe: %d", r.Status)
		}
	})
}

// TestLogsHoldNoSecrets runs a little of everything with secrets in every
// place a client puts them, and searches the whole log for them.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		viewer := s.Token("viewer")
		key := provisionRunning(t, s, "d-1", "redis:7.4")
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		body, _ := json.Marshal(map[string]any{"image": "redis:7.5"})
		mac := hmac.New(sha256.New, []byte(apitest.WebhookSecret))
		mac.Write(body)
		sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		hook := "/api/v1/webhooks/docker-registry"
		s.Do("POST", hook+"?token="+apitest.WebhookSecret, "", body)
		s.Do("POST", hook, apitest.WebhookSecret, body)
		s.Do("POST", hook, "", body, "X-Hub-Signature-256", sig)
		s.Do("POST", hook+"?token=whs_wrong-secret-guess", "", body)
		s.Do("GET", "/api/v1/devices/d-1/target-state", key, nil)
		s.Do("GET", "/api/v1/devices/d-1/target-state", "dk_wrong-key-guess", nil)
		s.Do("GET", "/api/v1/images?token="+viewer, viewer, nil)
		s.Do("GET", "/api/v1/events", "alk_wrong-token-guess", nil)
		var rotated struct {
			APIKey string `json:"api_key"`
		}
		s.Must(200, "POST", "/api/v1/devices/d-1/rotate-key", nil).JSON(t, &rotated)
		refusedPush(s)

		logs := s.Logs.String()
		if !strings.Contains(logs, "route=/api/v1/webhooks/{source}") || !strings.Contains(logs, "request_id=") {
			t.Fatalf("no request lines in the log:\n%s", logs)
		}
		for _, secret := range []string{apitest.AdminToken, apitest.WebhookSecret, viewer, key, rotated.APIKey, sig[7:],
			"whs_wrong-secret-guess", "dk_wrong-key-guess", "alk_wrong-token-guess", "token="} {
			if secret != "" && strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}
