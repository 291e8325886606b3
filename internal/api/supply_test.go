package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
)

func publicKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestRulesLifecycle(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		rule := map[string]any{"name": "signed", "image_pattern": "ghcr.io/acme/*", "kind": "signature",
			"keys": []string{publicKeyPEM(t)}}
		created := s.Must(201, "POST", "/api/v1/rules", rule).Map(t)
		if created["mode"] != "enforce" || created["threshold"] != 1.0 || created["id"] != 1.0 {
			t.Fatalf("created %v: want mode enforce and threshold 1 by default", created)
		}
		s.Must(409, "POST", "/api/v1/rules", rule)
		second := s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no latest", "image_pattern": "*", "kind": "tag",
			"deny": []string{"latest"}, "mode": "warn"}).Map(t)
		path := fmt.Sprintf("/api/v1/rules/%v", second["id"])

		viewer := s.Token(airlock.RoleViewer)
		var list struct {
			Items []map[string]any
			Total int
		}
		if r := s.Do("GET", "/api/v1/rules", viewer, nil); r.Status != 200 {
			t.Fatalf("viewer lists rules: %d %s", r.Status, r.Body)
		} else if r.JSON(t, &list); list.Total != 2 || list.Items[1]["deny"] == nil {
			t.Fatalf("rules %+v", list)
		}
		if r := s.Do("POST", "/api/v1/rules", viewer, rule); r.Status != 403 {
			t.Fatalf("viewer writes a rule: %d", r.Status)
		}
		if r := s.Do("DELETE", "/api/v1/rules/1", s.Token(airlock.RoleApprover), nil); r.Status != 403 {
			t.Fatalf("approver deletes a rule: %d", r.Status)
		}
		replaced := s.Must(200, "PUT", path, map[string]any{"name": "semver", "image_pattern": "*",
			"kind": "tag", "require_semver": true}).Map(t)
		if replaced["require_semver"] != true || replaced["deny"] != nil || replaced["name"] != "semver" {
			t.Fatalf("replaced %v", replaced)
		}
		s.Must(204, "DELETE", path, nil)
		s.Must(404, "GET", path, nil)
	})
}

func TestRuleFieldErrors(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		cases := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "tag", "deny": []string{"latest"}, "max_severity": "high"}, "max_severity"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "nope"}, "kind"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "signature", "keys": []string{"not a key"}}, "keys[0]"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "signature", "identities": []map[string]string{
				{"issuer": "https://token.actions.githubusercontent.com", "subject": "me"}}, "trusted_root": map[string]any{"mediaType": "x"}}, "trusted_root"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "vulnerabilities", "max_severity": "critical"}, "max_severity"},
			{map[string]any{"name": "", "image_pattern": "*", "kind": "age", "min_age": "72h"}, "name"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "age", "min_age": "soon"}, "min_age"},
			{map[string]any{"name": "x", "image_pattern": "*", "kind": "age", "min_age": 72}, "min_age"},
		}
		for _, c := range cases {
			got := s.Must(422, "POST", "/api/v1/rules", c.body).Map(t)
			if got["field"] != c.field {
				t.Errorf("%v: field %v, want %s (%v)", c.body, got["field"], c.field, got["message"])
			}
		}
	})
}

func fixture(t *testing.T, name, digest string) string {
	t.Helper()
	b, err := os.ReadFile("../verify/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	const fixtureDigest = "sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f"
	return strings.ReplaceAll(string(b), fixtureDigest, digest)
}

func TestScanReports(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const digest = "sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f"
		scanner := s.Token(airlock.RoleScanner)
		for _, name := range []string{"trivy.json", "grype.json"} {
			r := s.Do("POST", "/api/v1/scan-reports", scanner, fixture(t, name, digest))
			if r.Status != 201 {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
			if got := r.Map(t); got["digest"] != digest || !strings.HasPrefix(got["scanner"].(string), strings.TrimSuffix(name, ".json")) {
				t.Errorf("%s stored as %v", name, got)
			}
		}
		if r := s.Do("GET", "/api/v1/rules", scanner, nil); r.Status != 403 {
			t.Errorf("a scanner token reads rules: %d", r.Status)
		}
		if r := s.Do("POST", "/api/v1/scan-reports", s.Token(airlock.RoleViewer), fixture(t, "trivy.json", digest)); r.Status != 403 {
			t.Errorf("a viewer posts a report: %d", r.Status)
		}
		var latest struct {
			Scanner  string
			Counts   map[string]int
			Findings []map[string]any
		}
		s.Must(200, "GET", "/api/v1/scan-reports/"+digest, nil).JSON(t, &latest)
		if latest.Counts["critical"] == 0 || len(latest.Findings) == 0 {
			t.Errorf("latest report %+v", latest)
		}
		s.Must(404, "GET", "/api/v1/scan-reports/sha256:"+strings.Repeat("0", 64), nil)
		s.Must(422, "POST", "/api/v1/scan-reports", `{"hello": "world"}`)
		s.Must(400, "POST", "/api/v1/scan-reports", `{"SchemaVersion": 2,`)
		harbor := fixture(t, "harbor-scanning-completed.json", digest)
		if r := s.Do("POST", "/api/v1/scan-reports/harbor", "wrong-secret-of-twenty-chars", harbor); r.Status != 401 {
			t.Errorf("harbor scan with a bad secret: %d", r.Status)
		}
		r := s.Do("POST", "/api/v1/scan-reports/harbor", apitest.WebhookSecret, harbor)
		if got := r.Map(t); r.Status != 200 || got["scan"] != true || len(got["reports"].([]any)) == 0 {
			t.Fatalf("harbor scan: %d %s", r.Status, r.Body)
		}
		evs := s.Must(200, "GET", "/api/v1/events?type=scan.report_received", nil).Map(t)
		if evs["total"].(float64) < 3 {
			t.Errorf("scan events %v", evs)
		}
	})
}

func TestChecksByDigest(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const path = "/api/v1/releases/by-digest/sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f/checks"
		ci := s.Token(airlock.RoleCI)
		if r := s.Do("POST", path, ci, map[string]any{"name": "smoke", "status": "success", "url": "https://ci/1"}); r.Status != 204 {
			t.Fatalf("ci posts a check: %d %s", r.Status, r.Body)
		}
		if r := s.Do("POST", path, s.Token(airlock.RoleScanner), map[string]any{"name": "smoke", "status": "success"}); r.Status != 403 {
			t.Errorf("a scanner posts a check: %d", r.Status)
		}
		s.Must(422, "POST", path, map[string]any{"name": "smoke", "status": "done"})
		s.Must(422, "POST", "/api/v1/releases/by-digest/latest/checks", map[string]any{"name": "smoke", "status": "success"})
	})
}

// TestEvaluateShowsEachRulesVerdict: a dry run judges a release pushed to
// a real registry by every matching rule and changes nothing.
func TestEvaluateShowsEachRulesVerdict(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		reg := registrytest.Start(t, registrytest.Options{})
		digest, err := reg.PushImage(context.Background(), "acme/app", "latest")
		if err != nil {
			t.Fatal(err)
		}
		pattern := reg.Host() + "/acme/*"
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "signed", "image_pattern": pattern, "kind": "signature",
			"keys": []string{publicKeyPEM(t)}})
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no latest", "image_pattern": pattern, "kind": "tag",
			"deny": []string{"latest"}})
		var out struct {
			Status, Rule string
			Verdicts     []struct {
				Rule, Result string
				WaitingFor   string `json:"waiting_for"`
			}
		}
		s.Must(200, "POST", "/api/v1/rules/evaluate", map[string]any{"image": reg.Host() + "/acme/app:latest@" + digest}).JSON(t, &out)
		if out.Status != "refused" || out.Rule != "no latest" || len(out.Verdicts) != 2 || out.Verdicts[0].Result != "wait" ||
			out.Verdicts[0].WaitingFor != "signature" {
			t.Fatalf("outcome %+v", out)
		}
		if r := s.Do("POST", "/api/v1/rules/evaluate", s.Token(airlock.RoleViewer), map[string]any{"image": "redis"}); r.Status != 403 {
			t.Errorf("a viewer makes Airlock call registries: %d", r.Status)
		}
		s.Must(422, "POST", "/api/v1/rules/evaluate", map[string]any{"image": "Not An Image!"})
	})
}
