package releases_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// stays checks, for a while, that device uuid is still told to run image.
func (f fixture) stays(uuid, image string) {
	f.t.Helper()
	for range 6 {
		if got := f.target(uuid); got != image {
			f.t.Fatalf("%s was given %s while its release is held", uuid, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 16: an unsigned release, or one signed with an untrusted key,
// never reaches devices; a trusted signature pushed after the image
// releases it.
func TestSignatureRuleHoldsUntilTrustedSignature(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, 50*time.Millisecond)
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/signed"
		trusted, untrusted := registrytest.NewSigner(t), registrytest.NewSigner(t)
		f.s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "signed", "image_pattern": repo,
			"kind": "signature", "keys": []string{trusted.PEM}})
		f.approve(repo)
		f.device("gw", repo+":1.0")
		ctx := context.Background()
		digest, err := reg.PushImage(ctx, "acme/signed", "2.0")
		if v := pushed(t, reg, digest, err); v["rollout"] != nil {
			t.Fatalf("an unsigned release rolled out: %v", v)
		}
		f.stays("gw", repo+":1.0")
		if rels := f.releases("image=" + repo); len(rels) != 1 || rels[0].Status != "held" {
			t.Fatalf("releases: %+v", rels)
		}
		if _, err := reg.PushSignedSignature(ctx, "acme/signed", digest, untrusted.Sign); err != nil {
			t.Fatal(err)
		}
		f.stays("gw", repo+":1.0")
		if _, err := reg.PushSignedSignature(ctx, "acme/signed", digest, trusted.Sign); err != nil {
			t.Fatal(err)
		}
		pinned := repo + ":2.0@" + digest
		eventually(t, 10*time.Second, "the signed release reaches gw", func() bool { return f.target("gw") == pinned })
	})
}

// scanReport is a Trivy report fixture naming digest.
func scanReport(t *testing.T, name, digest string) []byte {
	b, err := os.ReadFile("../../verify/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f", digest)
	return []byte(strings.Replace(s, `"RepoDigests": []`, `"RepoDigests": ["x@`+digest+`"]`, 1))
}

// Issue 16: a CRITICAL finding under max_severity high holds a release;
// a clean report that arrives later releases it.
func TestVulnerabilityRuleHoldsUntilCleanReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, time.Hour) // only the report itself may release it
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/scanned"
		f.s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no critical", "image_pattern": repo,
			"kind": "vulnerabilities", "max_severity": "high", "require_report": true})
		f.approve(repo)
		f.device("gw", repo+":1.0")
		digest, err := reg.PushImage(context.Background(), "acme/scanned", "2.0")
		pushed(t, reg, digest, err)
		scanner := f.s.Token("scanner")
		if r := f.s.Do("POST", "/api/v1/scan-reports", scanner, scanReport(t, "trivy.json", digest)); r.Status/100 != 2 {
			t.Fatalf("report: %d %s", r.Status, r.Body)
		}
		f.stays("gw", repo+":1.0")
		rels := f.releases("image=" + repo)
		if len(rels) != 1 || rels[0].Status != "held" || !strings.Contains(rels[0].Reason, "clean scan report") {
			t.Fatalf("releases: %+v", rels)
		}
		time.Sleep(10 * time.Millisecond) // the clean report is the newer one
		if r := f.s.Do("POST", "/api/v1/scan-reports", scanner, scanReport(t, "trivy-clean.json", digest)); r.Status/100 != 2 {
			t.Fatalf("clean report: %d %s", r.Status, r.Body)
		}
		pinned := repo + ":2.0@" + digest
		eventually(t, 5*time.Second, "the clean release reaches gw", func() bool { return f.target("gw") == pinned })
	})
}

// Issue 16: a tag rule denying latest refuses redis:latest with a 403
// that names the rule, on the guide's endpoint.
func TestTagRuleRefusesLatestNamingTheRule(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no latest", "image_pattern": "redis",
			"kind": "tag", "deny": []string{"latest"}})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
			map[string]any{"image": "redis:latest"})
		body := r.Map(t)
		if r.Status != 403 || body["rule"] != "no latest" {
			t.Fatalf("redis:latest: %d %s", r.Status, r.Body)
		}
		if r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
			map[string]any{"image": "redis:7.4"}); r.Status != 200 {
			t.Fatalf("redis:7.4: %d %s", r.Status, r.Body)
		}
	})
}

// Issue 17: under a 2-of-N rule with separation of duties, carol's
// approval with deploy rolls out the push alice made.
func TestApproveAndDeployReachesTheFleet(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "two of N", "image_pattern": "ghcr.io/acme/*",
			"kind": "approvals", "required": 2, "separate_duties": true})
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "ghcr.io/acme/gateway:*",
			"update_strategy": "immediate"})
		f.device("gw", "ghcr.io/acme/gateway:v0")
		digest := "sha256:" + strings.Repeat("b", 64)
		body := fmt.Sprintf(`{"action": "published", "sender": {"login": "alice"}, "package": {"name": "gateway",
			"namespace": "acme", "package_type": "container", "owner": {"login": "acme"}, "package_version": {"version": %q,
			"container_metadata": {"tag": {"name": "v1", "digest": %q}}}}}`, digest, digest)
		if r := s.Do("POST", "/api/v1/webhooks/ghcr", "", body, "X-GitHub-Event", "package",
			"X-Hub-Signature-256", webhook.Sign(apitest.WebhookSecret, []byte(body))); r.Status != 403 {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
		var list struct{ Items []struct{ ID int64 } }
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("requests: %+v", list.Items)
		}
		path := fmt.Sprintf("/api/v1/approval-requests/%d/approve", list.Items[0].ID)
		for _, who := range []string{"bob", "carol"} {
			var tok struct{ Token string }
			s.Must(201, "POST", "/api/v1/tokens", map[string]string{"name": who, "role": "approver"}).JSON(t, &tok)
			if r := s.Do("POST", path, tok.Token, map[string]any{"deploy": who == "carol"}); r.Status != 200 {
				t.Fatalf("%s approves: %d %s", who, r.Status, r.Body)
			}
		}
		// An image-scope request keeps no digest, and this test resolves
		// nothing: the release goes by tag.
		want := "ghcr.io/acme/gateway:v1"
		defer func() {
			if t.Failed() {
				t.Log(f.releases(""), s.Logs.String())
			}
		}()
		eventually(t, 5*time.Second, "the approved push reaches gw", func() bool { return f.target("gw") == want })
	})
}

// Issue 16: rules judge manual rollouts and target-state writes too; a
// forced write overrides them, on the record.
func TestRulesJudgeManualPaths(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no latest", "image_pattern": "redis",
			"kind": "tag", "deny": []string{"latest"}})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		f := fixture{t, s}
		f.device("gw", "redis:7.4")
		if r := s.Do("POST", "/api/v1/rollouts", s.Token("approver"), map[string]any{"image": "redis:latest"}); r.Status != 403 ||
			r.Map(t)["rule"] != "no latest" {
			t.Fatalf("manual rollout of redis:latest: %d %s", r.Status, r.Body)
		}
		apps := map[string]any{"app": map[string]any{"image": "redis:latest"}}
		if r := s.Admin("PUT", "/api/v1/devices/gw/target-state", map[string]any{"apps": apps}); r.Status != 403 ||
			r.Map(t)["rule"] != "no latest" {
			t.Fatalf("target state redis:latest: %d %s", r.Status, r.Body)
		}
		s.Must(200, "PUT", "/api/v1/devices/gw/target-state", map[string]any{"apps": apps, "force": true, "reason": "lab test"})
		if got := f.target("gw"); got != "docker.io/library/redis:latest" {
			t.Fatalf("forced target: %s", got)
		}
	})
}
