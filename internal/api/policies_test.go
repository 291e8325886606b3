package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
)

func TestPolicyLifecycle(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		created := s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 3,
			"batch_delay_minutes": 5, "description": "guide example"}).Map(t)
		want := map[string]any{"id": 1.0, "image_pattern": "redis:*", "tag_constraint": "", "update_strategy": "staged",
			"batch_size": 3.0, "batch_percent": 0.0, "batch_delay_seconds": 300.0, "batch_delay_minutes": 5.0, "canary_size": 0.0,
			"health_check_timeout_seconds": 300.0, "failure_threshold_percent": 20.0, "min_devices_for_threshold": 1.0,
			"auto_rollback": true, "device_filter": map[string]any{}, "enabled": true, "description": "guide example"}
		for k, v := range want {
			if diff := cmp.Diff(v, created[k]); diff != "" {
				t.Errorf("%s (-want +got):\n%s", k, diff)
			}
		}
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "ghcr.io/acme/*:stable", "update_strategy": "canary",
			"canary_size": 1, "batch_percent": 25, "tag_constraint": ">= 1, < 2", "enabled": false,
			"device_filter": map[string]any{"labels": map[string]string{"site": "berlin"}}})

		viewer := s.Token(airlock.RoleViewer)
		var all struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		r := s.Do("GET", "/api/v1/policies", viewer, nil)
		r.JSON(t, &all)
		if r.Status != 200 || all.Total != 2 || len(all.Items) != 2 || all.Items[1]["device_filter"].(map[string]any)["labels"] == nil {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		s.Must(200, "GET", "/api/v1/policies?enabled=false", nil).JSON(t, &all)
		if all.Total != 1 || all.Items[0]["id"] != 2.0 {
			t.Fatalf("disabled only: %+v", all)
		}
		if r := s.Do("POST", "/api/v1/policies", viewer, map[string]any{"image_pattern": "nginx"}); r.Status != 403 {
			t.Fatalf("viewer created a policy: %d", r.Status)
		}

		// PUT changes only what it names; the delay switches unit cleanly.
		upd := s.Must(200, "PUT", "/api/v1/policies/1", map[string]any{"enabled": false, "batch_delay_seconds": 90}).Map(t)
		if upd["enabled"] != false || upd["batch_size"] != 3.0 || upd["batch_delay_seconds"] != 90.0 || upd["batch_delay_minutes"] != 1.0 ||
			upd["image_pattern"] != "redis:*" {
			t.Fatalf("updated: %v", upd)
		}
		if got := s.Must(200, "GET", "/api/v1/policies/1", nil).Map(t); got["enabled"] != false {
			t.Fatalf("update not stored: %v", got)
		}
		s.Must(422, "PUT", "/api/v1/policies/1", map[string]any{"image_pattern": "*foo["})
		if got := s.Must(200, "GET", "/api/v1/policies/1", nil).Map(t); got["image_pattern"] != "redis:*" {
			t.Fatalf("a refused update was stored: %v", got)
		}

		s.Must(204, "DELETE", "/api/v1/policies/1", nil)
		s.Must(404, "GET", "/api/v1/policies/1", nil)
		s.Must(404, "DELETE", "/api/v1/policies/1", nil)
		for _, typ := range []string{"image.policy_created", "image.policy_updated", "image.policy_deleted"} {
			if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = $1`, typ); n == 0 {
				t.Errorf("no %s event", typ)
			}
		}
	})
}

func TestPolicyValidation(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis"})
		cases := []errorCase{
			{"POST", "/api/v1/policies", map[string]any{}, 422, "image_pattern"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "*foo["}, 422, "image_pattern"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:"}, 422, "image_pattern"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "Redis"}, 422, "image_pattern"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "-*"}, 422, "image_pattern"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "tag_constraint": ">= seven"}, 422, "tag_constraint"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "update_strategy": "yolo"}, 422, "update_strategy"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "update_strategy": "canary"}, 422, "canary_size"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": 2, "batch_percent": 50}, 422, "batch_percent"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": "two"}, 422, "batch_size"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "failure_threshold_percent": 101}, 422, "failure_threshold_percent"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "health_check_timeout_seconds": -1}, 422, "health_check_timeout_seconds"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "device_filter": map[string]any{"uuids": []string{""}}}, 422, "device_filter"},
			{"POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "colour": "red"}, 422, "colour"},
			{"POST", "/api/v1/policies", `{"image_pattern": `, 400, ""},
			{"PUT", "/api/v1/policies/1", map[string]any{"update_strategy": "manual", "batch_percent": 500}, 422, "batch_percent"},
			{"PUT", "/api/v1/policies/99", map[string]any{"enabled": true}, 404, ""},
			{"GET", "/api/v1/policies/abc", nil, 404, ""},
			{"GET", "/api/v1/policies?enabled=maybe", nil, 422, "enabled"},
		}
		checkErrors(t, s, cases)
		if n := count(t, s, `SELECT COUNT(*) FROM image_update_policies`); n != 1 {
			t.Fatalf("%d policies stored, want 1", n)
		}
	})
}
