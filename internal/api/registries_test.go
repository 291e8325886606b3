package api_test

import (
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestRegistries: an admin declares, reads, changes, rotates and removes a
// registry; the webhook secret is shown only in the answers that make it,
// and neither it nor the pull password reaches a later answer, an event or
// the log.
func TestRegistries(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		r := s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": "Registry.Example.com:5000",
			"aliases": []string{"10.0.0.5:5000", "registry:5000", "10.0.0.5:5000"}, "kind": "distribution",
			"username": "puller", "password": "pull-pass-123", "insecure": true}).Map(t)
		secret, _ := r["webhook_secret"].(string)
		if r["host"] != "registry.example.com:5000" || r["password_set"] != true || r["password"] != nil || secret == "" ||
			r["webhook_url"] != s.URL+"/api/v1/webhooks/distribution" {
			t.Fatalf("create: %v", r)
		}
		if got := r["aliases"].([]any); len(got) != 2 || got[0] != "10.0.0.5:5000" || got[1] != "registry:5000" {
			t.Fatalf("aliases %v", got)
		}
		id := itoa(r["id"])
		for _, body := range []string{string(s.Must(200, "GET", "/api/v1/registries/"+id, nil).Body),
			string(s.Must(200, "GET", "/api/v1/registries", nil).Body)} {
			if strings.Contains(body, secret) || strings.Contains(body, "pull-pass-123") || strings.Contains(body, "webhook_secret") {
				t.Fatalf("a later answer shows a secret: %s", body)
			}
		}
		// One spelling names one registry.
		s.Must(409, "POST", "/api/v1/registries", map[string]any{"host": "registry.example.com:5000", "kind": "harbor"})
		s.Must(409, "POST", "/api/v1/registries", map[string]any{"host": "10.0.0.5:5000", "kind": "harbor"})
		s.Must(409, "POST", "/api/v1/registries", map[string]any{"host": "other.example.com", "aliases": []string{"registry:5000"}, "kind": "harbor"})
		for _, bad := range []map[string]any{
			{"host": "http://r.example.com", "kind": "distribution"},
			{"host": "foo_bar:5210", "kind": "distribution"},
			{"host": "r.example.com", "kind": "gitlab"},
			{"host": "r.example.com", "kind": "quay", "aliases": []string{"r.example.com"}},
			{"host": "r.example.com", "kind": "quay", "password": "x"},
		} {
			s.Must(422, "POST", "/api/v1/registries", bad)
		}

		rotated := updateAndRotate(t, s, id, secret)
		q := s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": "quay.io", "kind": "quay"}).Map(t)
		if !strings.HasSuffix(q["webhook_url"].(string), "/api/v1/webhooks/quay?token="+q["webhook_secret"].(string)) {
			t.Fatalf("a sender that cannot set headers gets the secret in its URL: %v", q["webhook_url"])
		}
		s.Must(204, "DELETE", "/api/v1/registries/"+id, nil)
		s.Must(404, "GET", "/api/v1/registries/"+id, nil)

		events := string(s.Must(200, "GET", "/api/v1/events?type=registry.*", nil).Body)
		if !strings.Contains(events, "registry.secret_rotated") {
			t.Fatalf("events: %s", events)
		}
		for _, leak := range []string{secret, rotated, q["webhook_secret"].(string), "pull-pass-123"} {
			if strings.Contains(events, leak) || strings.Contains(s.Logs.String(), leak) {
				t.Fatalf("a secret reached the events or the log")
			}
		}
	})
}

// updateAndRotate changes registry id's aliases, proves its secret works,
// rotates it and proves only the new one does; it returns the new one.
func updateAndRotate(t *testing.T, s *apitest.Server, id, secret string) string {
	t.Helper()
	u := s.Must(200, "PUT", "/api/v1/registries/"+id, map[string]any{"aliases": []string{"localhost:5000"}, "password": ""}).Map(t)
	if u["password_set"] != false || len(u["aliases"].([]any)) != 1 || u["webhook_secret"] != nil {
		t.Fatalf("update: %v", u)
	}
	s.Must(422, "PUT", "/api/v1/registries/"+id, map[string]any{"host": "elsewhere.example.com"})

	push := `{"events":[{"id":"e-1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"acme/app","tag":"v1"},"request":{"host":"localhost:5000"}}]}`
	if r := s.Do("POST", "/api/v1/webhooks/distribution", "", push, "Authorization", secret); r.Status != 200 {
		t.Fatalf("delivery with the registry's secret: %d %s", r.Status, r.Body)
	}
	rot := s.Must(200, "POST", "/api/v1/registries/"+id+"/rotate-secret", nil).Map(t)
	if rot["webhook_secret"] == secret || rot["webhook_secret"] == "" {
		t.Fatalf("rotate: %v", rot)
	}
	if r := s.Do("POST", "/api/v1/webhooks/distribution", "", push, "Authorization", secret); r.Status != 401 {
		t.Fatalf("the old secret after rotation: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/webhooks/distribution", "", push, "Authorization", rot["webhook_secret"].(string)); r.Status != 200 {
		t.Fatalf("the new secret: %d %s", r.Status, r.Body)
	}
	if r := s.Do("GET", "/api/v1/registries", s.Token("approver"), nil); r.Status != 403 {
		t.Fatalf("an approver listing registries: %d", r.Status)
	}
	return rot["webhook_secret"].(string)
}
