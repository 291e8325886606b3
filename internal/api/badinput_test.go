package api_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestBadInputIsRefusedAtTheEdge: text no column can hold (a NUL, invalid
// UTF-8) and numbers beyond their column get a 4xx on both engines, never
// a 500 or a silently stored value.
func TestBadInputIsRefusedAtTheEdge(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		d := provision(t, s)
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		checkErrors(t, s, []errorCase{
			{"POST", "/api/v1/images", `{"image_name": "red\u0000is"}`, 400, ""},
			{"POST", "/api/v1/images", "{\"image_name\": \"red\xffis\"}", 400, ""},
			{"POST", "/api/v1/images", "{\"image_name\": \"redis\x00\"}", 400, ""},
			{"POST", "/api/v1/devices", `{"name": "a\u0000b"}`, 400, ""},
			{"POST", "/api/v1/devices", `{"name": "x", "labels": {"site": "a\u0000"}}`, 400, ""},
			{"PUT", "/api/v1/devices/" + d.UUID + "/target-state", `{"apps": {"web": {"image": "nginx:1\u0000"}}}`, 400, ""},
			{"GET", "/api/v1/devices?labels=site%3D%00", nil, 400, ""},
			{"GET", "/api/v1/devices?labels=site%3D%FF", nil, 400, ""},
			{"GET", "/api/v1/devices?labels=si%22te%3Dx", nil, 422, "labels"},
			{"GET", "/api/v1/images?status=%00", nil, 400, ""},
			{"GET", "/api/v1/approval-requests?status=%C3%28", nil, 400, ""},
			{"GET", "/api/v1/devices/%00", nil, 400, ""},
			{"GET", "/api/v1/events?type=%00", nil, 400, ""},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 3e9}, 422, "batch_size"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 2e6}, 422, "batch_size"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "min_devices_for_threshold": 3e9}, 422, "min_devices_for_threshold"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "min_devices_for_threshold": 2e6}, 422, "min_devices_for_threshold"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "canary_size": 3e9}, 422, "canary_size"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "health_check_timeout_seconds": -3e9}, 422, "health_check_timeout_seconds"},
			{"POST", "/api/v1/rollouts", map[string]any{"image": "redis:7", "batch_size": 3e9}, 422, "batch_size"},
			{"GET", "/api/v1/rollouts/1/devices?batch=3000000000", nil, 422, "batch"},
			{"GET", "/api/v1/images?offset=99999999999", nil, 422, "offset"},
		})
		report := `{"apps": {"web": {"image": "nginx:1", "status": "running\u0000"}}}`
		if r := s.Do("PATCH", "/api/v1/devices/"+d.UUID+"/state", d.Key, report); r.Status != 400 {
			t.Errorf("report with a NUL: %d %s", r.Status, r.Body)
		}
		// An escaped backslash before "u0000" is text, not a NUL.
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "description": `a\u0000b`})
	})
}
