package api_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestPolicyTimingKnobs: a policy keeps issue 15's knobs, defaults
// include_new_devices to true, and refuses bad ones naming the field.
func TestPolicyTimingKnobs(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		p := s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "bake_seconds": 30,
			"health_grace_seconds": 60, "max_retries": 2, "defer_timeout_seconds": 600, "max_devices_per_minute": 50,
			"ramp":                map[string]any{"base_per_minute": 10, "factor": 2, "every_succeeded": 50},
			"maintenance_windows": []map[string]any{{"cron": "0 2 * * *", "duration": "2h", "timezone": "Europe/Berlin"}},
		}).Map(t)
		ramp, _ := p["ramp"].(map[string]any)
		windows, _ := p["maintenance_windows"].([]any)
		if p["bake_seconds"] != 30.0 || p["health_grace_seconds"] != 60.0 || p["max_retries"] != 2.0 ||
			p["include_new_devices"] != true || ramp["factor"] != 2.0 || len(windows) != 1 {
			t.Fatalf("policy: %v", p)
		}
		got := s.Must(200, "PUT", "/api/v1/policies/1", map[string]any{"include_new_devices": false, "maintenance_windows": []any{}}).Map(t)
		if got["include_new_devices"] != false || len(got["maintenance_windows"].([]any)) != 0 || got["bake_seconds"] != 30.0 {
			t.Fatalf("updated: %v", got)
		}
		win := func(w map[string]any) map[string]any {
			return map[string]any{"image_pattern": "redis:*", "maintenance_windows": []map[string]any{w}}
		}
		checkBadInput(t, s, []badInput{
			{"POST", "/api/v1/policies", "", win(map[string]any{"cron": "0 2 * *", "duration": "2h"}), 422, "maintenance_windows[0].cron"},
			{"POST", "/api/v1/policies", "", win(map[string]any{"cron": "0 2 * * *", "duration": "2 hours"}), 422, "maintenance_windows[0].duration"},
			{"POST", "/api/v1/policies", "", win(map[string]any{"cron": "0 2 * * *", "duration": "2h", "timezone": "Mars/Base"}), 422, "maintenance_windows[0].timezone"},
			{"POST", "/api/v1/policies", "", map[string]any{"image_pattern": "redis:*", "ramp": map[string]any{"base_per_minute": 10, "factor": 9, "every_succeeded": 5}}, 422, "ramp.factor"},
			{"POST", "/api/v1/policies", "", map[string]any{"image_pattern": "redis:*", "bake_seconds": -1}, 422, "bake_seconds"},
			{"POST", "/api/v1/policies", "", map[string]any{"image_pattern": "redis:*", "max_retries": 99}, 422, "max_retries"},
			{"POST", "/api/v1/policies", "", map[string]any{"image_pattern": "redis:*", "max_devices_per_minute": "fast"}, 422, "max_devices_per_minute"},
		})
	})
}
