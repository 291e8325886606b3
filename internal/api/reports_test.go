package api_test

import (
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/rollout"
)

// TestReportCarriesEvidence: an app report keeps its message (cut to
// 1 KiB), exit code, restart count and health, and may say deferred.
func TestReportCarriesEvidence(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, key := newDevice(t, s, map[string]any{"uuid": "a"})
		long := strings.Repeat("é", 1000) // 2,000 bytes
		r := s.Do("PATCH", statePath(a), key, map[string]any{"apps": map[string]any{
			"cache": map[string]any{"image": "redis:7.5-alpine", "status": "Exited", "exit_code": 137, "restart_count": 3,
				"health": "Unhealthy", "message": long},
			"web": map[string]any{"image": "nginx:1", "status": "deferred", "health": "starting"},
		}})
		if r.Status != 204 {
			t.Fatalf("report: %d %s", r.Status, r.Body)
		}
		d := s.Must(200, "GET", "/api/v1/devices/"+a, nil).Map(t)
		apps := d["current_state"].(map[string]any)["apps"].(map[string]any)
		cache, web := apps["cache"].(map[string]any), apps["web"].(map[string]any)
		msg, _ := cache["message"].(string)
		if cache["status"] != "exited" || cache["exit_code"] != 137.0 || cache["restart_count"] != 3.0 ||
			cache["health"] != "unhealthy" || len(msg) > rollout.MaxMessage || !strings.HasSuffix(msg, "…") ||
			!strings.HasPrefix(msg, "éé") {
			t.Fatalf("cache report: %v", cache)
		}
		if web["status"] != "deferred" || web["health"] != "starting" {
			t.Fatalf("web report: %v", web)
		}
	})
}
