package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// pushed waits for the notification of a push and returns its verdict,
// failing unless it was answered 200.
func pushed(t *testing.T, reg *registrytest.Registry, digest string, err error) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	d := reg.WaitForPush(digest)
	if d.Status != 200 {
		t.Fatalf("push %s answered %d: %s", digest, d.Status, d.Response)
	}
	return verdict(t, d)
}

func wantVerdict(t *testing.T, v map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if v[k] != w {
			t.Fatalf("%s = %v, want %v; verdict %v", k, v[k], w, v)
		}
	}
}

// 3. A refused push wedges a real registry: Distribution retries any
// non-2xx for ever, in order. Refusals (and an event that cannot be read)
// are answered 200 with the verdict in the body, once each, and the pushes
// after them arrive and deploy.
func TestRefusedPushDoesNotWedgeARealRegistry(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := gateFixture{t, s}
		ctx := context.Background()
		reg := startRegistry(t, s, noAliases)
		host := reg.Host()
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": host + "/acme/sensor"})
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": host + "/acme/sensor:*", "update_strategy": "immediate"})
		f.device("dev-1", host+"/acme/sensor:1.0")

		digest, err := reg.PushImage(ctx, "acme/unknown", "v1")
		wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "error": "Image not approved",
			"action_required": "Admin must approve this image before deployment"})
		digest, err = reg.PushImage(ctx, "acme/sensor", "bad", registrytest.AsHost("foo_bar:5210"))
		wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "error": "Bad event"})
		digest, err = reg.PushImage(ctx, "acme/sensor", "2.0")
		v := pushed(t, reg, digest, err)
		wantVerdict(t, v, map[string]any{"allowed": true, "outcome": "approved_new_tag"})
		if v["rollout"] == nil || f.image("dev-1") != host+"/acme/sensor:2.0@"+digest {
			t.Fatalf("the approved push did not deploy: %v, dev-1 on %s", v, f.image("dev-1"))
		}
		seen := map[string]int{}
		for _, d := range reg.Deliveries() {
			for _, e := range d.Events {
				if seen[e.ID]++; seen[e.ID] > 1 {
					t.Fatalf("event %s (%s:%s) delivered again", e.ID, e.Target.Repository, e.Target.Tag)
				}
			}
		}
		if n := f.count(`SELECT request_count FROM image_approval_requests WHERE registry = $1 AND image_name = 'unknown'`, host); n != 1 {
			t.Fatalf("approval request count %d", n)
		}
	})
}

// 5. The pusher names the registry: Distribution copies the client's Host
// header into request.host. A registry's own secret speaks only for its
// host and aliases; with the global secret a pusher-named host may ask for
// approval but never deploys.
func TestPusherDoesNotNameTheRegistry(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := gateFixture{t, s}
		ctx := context.Background()
		reg := startRegistry(t, s, func(port string) []string { return []string{"localhost:" + port, "[::1]:" + port} })
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "*", "update_strategy": "immediate"})
		f.device("agent", "iotistic/agent:v2.1.0")
		f.device("cache", "redis:7.4-alpine")
		before := f.count(`SELECT COUNT(*) FROM image_tags`)

		digest, err := reg.PushImage(ctx, "iotistic/agent", "v2.2.0", registrytest.AsHost("docker.io"))
		wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "error": "Registry mismatch"})
		digest, err = reg.PushImage(ctx, "library/redis", "7-evil", registrytest.AsHost("docker.io"))
		wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "error": "Registry mismatch"})
		if n := f.count(`SELECT COUNT(*) FROM image_update_rollouts`); n != 0 || f.count(`SELECT COUNT(*) FROM image_tags`) != before {
			t.Fatalf("a Host: docker.io push changed something: %d rollouts", n)
		}
		if f.image("agent") != "docker.io/iotistic/agent:v2.1.0" || f.image("cache") != "docker.io/library/redis:7.4-alpine" {
			t.Fatalf("devices moved: %s, %s", f.image("agent"), f.image("cache"))
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.registry_mismatch'`); n != 2 || !strings.Contains(s.Logs.String(), "Registry mismatch") {
			t.Fatalf("%d registry_mismatch events; log:\n%s", n, s.Logs.String())
		}

		// Three spellings of one registry are one registry.
		for _, h := range []string{reg.Host(), "localhost:" + reg.Port(), "[::1]:" + reg.Port()} {
			digest, err := reg.PushImage(ctx, "acme/app", "v1", registrytest.AsHost(h))
			wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "error": "Image not approved"})
		}
		if n := f.count(`SELECT request_count FROM image_approval_requests WHERE registry = $1 AND image_name = 'app'`, reg.Host()); n != 3 {
			t.Fatalf("request count under the canonical host: %d", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM image_approval_requests`); n != 1 {
			t.Fatalf("%d approval requests, want 1", n)
		}

		// The global secret cannot deploy what a pusher claims.
		g := globalRegistry(t, s)
		digest, err = g.PushImage(ctx, "iotistic/agent", "v2.3.0", registrytest.AsHost("docker.io"))
		wantVerdict(t, pushed(t, g, digest, err), map[string]any{"allowed": false, "error": "Registry not verified"})
		digest, err = g.PushImage(ctx, "library/redis", "7-evil", registrytest.AsHost("docker.io"))
		wantVerdict(t, pushed(t, g, digest, err), map[string]any{"allowed": false, "error": "Registry not verified"})
		digest, err = g.PushImage(ctx, "acme/new", "v1")
		v := pushed(t, g, digest, err)
		if v["error"] != "Image not approved" || !strings.Contains(fmt.Sprint(v["registry"]), "Declare the registry") {
			t.Fatalf("undeclared registry's unknown image: %v", v)
		}
		if n := f.count(`SELECT COUNT(*) FROM image_update_rollouts`); n != 0 || f.count(`SELECT COUNT(*) FROM image_tags`) != before {
			t.Fatalf("the global secret deployed a pusher's claim: %d rollouts", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM image_approval_requests WHERE registry = $1`, g.Host()); n != 1 {
			t.Fatalf("asking for approval from an undeclared registry: %d requests", n)
		}
	})
}

// 6. Artifacts are deployed: a cosign signature, an SBOM and a Helm chart
// pushed to an approved repository are recorded, never tags, approval
// requests or rollouts.
func TestArtifactsAreNotDeployed(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := gateFixture{t, s}
		ctx := context.Background()
		reg := startRegistry(t, s, noAliases)
		host := reg.Host()
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": host + "/acme/sensor"})
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": host + "/acme/sensor:*", "update_strategy": "immediate"})
		f.device("dev-1", host+"/acme/sensor:1.0")

		index, err := reg.PushIndex(ctx, "acme/sensor", "2.0.0", "linux/amd64", "linux/arm64", "linux/arm/v7")
		if v := pushed(t, reg, index, err); v["allowed"] != true || v["rollout"] == nil {
			t.Fatalf("the index did not deploy: %v", v)
		}
		sig, err := reg.PushSignature(ctx, "acme/sensor", index)
		v := pushed(t, reg, sig, err)
		wantVerdict(t, v, map[string]any{"allowed": false, "outcome": "artifact", "artifact": "signature", "subject_digest": index})
		for _, a := range []struct {
			tag  string
			art  registrytest.Artifact
			kind string
		}{{"sbom-2.0.0", registrytest.SBOM(), "sbom"}, {"0.1.0", registrytest.HelmChartArtifact(), "helm_chart"}} {
			digest, err := reg.PushArtifact(ctx, "acme/sensor", a.tag, a.art)
			wantVerdict(t, pushed(t, reg, digest, err), map[string]any{"allowed": false, "outcome": "artifact", "artifact": a.kind, "rollout": nil})
		}
		sig, err = reg.PushSignature(ctx, "acme/unapproved", index)
		wantVerdict(t, pushed(t, reg, sig, err), map[string]any{"outcome": "artifact"})

		if n := f.count(`SELECT COUNT(*) FROM image_tags WHERE tag NOT IN ('1.0', '2.0.0')`); n != 0 {
			t.Fatalf("%d artifacts became tags", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM image_update_rollouts`); n != 1 || f.count(`SELECT COUNT(*) FROM image_approval_requests`) != 0 {
			t.Fatalf("%d rollouts; artifacts raised approval requests", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.artifact_received'`); n != 4 {
			t.Fatalf("%d image.artifact_received events, want 4", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.artifact_received' AND payload LIKE $1`, "%"+index+"%"); n != 2 {
			t.Fatalf("%d signature events name their subject", n)
		}
	})
}

// 4. A stale refusal is replayed: a registry's refused delivery, sent
// again after the image is approved, is decided afresh and deploys, with
// no second approval request; an answer that allowed is replayed until
// the retention setting forgets it.
func TestRedeliveriesWithARegistrySecret(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		s := apitest.Start(t, dbURL, apitest.WithService(func(svc *service.Service) {
			svc.DB.SetClock(c.Now)
			svc.DeliveryRetention = 24 * time.Hour
		}))
		f := gateFixture{t, s}
		_, secret := declare(t, s, "127.0.0.1:5210")
		body := `{"events":[{"id":"ev-1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
			"repository":"acme/sensor","tag":"2.0","digest":"sha256:` + strings.Repeat("b", 64) + `"},"request":{"host":"127.0.0.1:5210"}}]}`
		send := func() map[string]any {
			r := s.Do("POST", "/api/v1/webhooks/distribution", "", body, "Authorization", secret)
			if r.Status != 200 {
				t.Fatalf("delivery answered %d: %s", r.Status, r.Body)
			}
			return r.Map(t)
		}
		wantVerdict(t, send(), map[string]any{"allowed": false, "error": "Image not approved"})
		wantVerdict(t, send(), map[string]any{"allowed": false, "error": "Image not approved"})
		if n := f.count(`SELECT request_count FROM image_approval_requests`); n != 1 {
			t.Fatalf("the redelivered refusal bumped the request to %d", n)
		}
		s.Must(200, "POST", "/api/v1/approval-requests/1/approve", nil)
		wantVerdict(t, send(), map[string]any{"allowed": true, "outcome": "approved"})
		received := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.webhook_received'`)
		wantVerdict(t, send(), map[string]any{"allowed": true})
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.webhook_received'`); n != received {
			t.Fatal("an allowed delivery was decided again instead of replayed")
		}
		c.Advance(25 * time.Hour)
		send()
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'image.webhook_received'`); n != received+1 {
			t.Fatal("a delivery older than the retention was still replayed")
		}
		if r := s.Do("POST", "/api/v1/webhooks/distribution", "", body, "Authorization", "whr_not-a-secret"); r.Status != 401 {
			t.Fatalf("a wrong secret: %d", r.Status)
		}
	})
}
