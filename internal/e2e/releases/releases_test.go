// Package releases_test proves issue 14's acceptance against real
// registries: the CNCF Distribution registry (internal/registrytest) and
// go-containerregistry's in-process one, on both engines.
package releases_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// fixture is one Airlock server and what the tests say to it.
type fixture struct {
	t *testing.T
	s *apitest.Server
}

// device provisions uuid (with its platform fields) running image.
func (f fixture) device(uuid, image string, fields ...string) {
	f.t.Helper()
	body := map[string]any{"uuid": uuid}
	for i := 0; i+1 < len(fields); i += 2 {
		body[fields[i]] = fields[i+1]
	}
	f.s.Must(201, "POST", "/api/v1/devices", body)
	f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{
		"apps": map[string]any{"app": map[string]any{"image": image}}, "force": true, "reason": "the fleet runs it already"})
}

// target is the image app "app" of device uuid is told to run.
func (f fixture) target(uuid string) string {
	f.t.Helper()
	var d struct {
		TargetState struct {
			Apps map[string]map[string]any `json:"apps"`
		} `json:"target_state"`
	}
	f.s.Must(200, "GET", "/api/v1/devices/"+uuid, nil).JSON(f.t, &d)
	img, _ := d.TargetState.Apps["app"]["image"].(string)
	return img
}

// release is what GET /releases/{id} answers.
type release struct {
	ID        int64
	Tag       string
	Digest    string
	Status    string
	Pinned    bool
	Reason    string
	Attempts  int
	RolloutID *int64 `json:"rollout_id"`
	Platforms []struct{ OS, Architecture, Variant string }
	Decision  map[string]any
}

func (f fixture) releases(query string) []release {
	f.t.Helper()
	var page struct{ Items []release }
	f.s.Must(200, "GET", "/api/v1/releases?"+query, nil).JSON(f.t, &page)
	return page.Items
}

// skipped returns the skip reason of each skipped device of rollout id.
func (f fixture) skipped(id int64) map[string]string {
	f.t.Helper()
	var page struct {
		Items []struct {
			DeviceUUID string `json:"device_uuid"`
			Status     string
			Error      string
		}
	}
	f.s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices", id), nil).JSON(f.t, &page)
	out := map[string]string{}
	for _, d := range page.Items {
		if d.Status == "skipped" {
			out[d.DeviceUUID] = d.Error
		}
	}
	return out
}

// declare declares host as a Distribution registry and returns its secret.
func (f fixture) declare(host string, extra map[string]any) (url, secret string) {
	f.t.Helper()
	body := map[string]any{"host": host, "kind": "distribution"}
	for k, v := range extra {
		body[k] = v
	}
	var r struct {
		WebhookURL    string `json:"webhook_url"`
		WebhookSecret string `json:"webhook_secret"`
	}
	f.s.Must(201, "POST", "/api/v1/registries", body).JSON(f.t, &r)
	return r.WebhookURL, r.WebhookSecret
}

// approve approves repo (host/ns/name) and rolls out its pushes at once.
func (f fixture) approve(repo string, policy ...any) {
	f.t.Helper()
	f.s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": repo})
	p := map[string]any{"image_pattern": repo + ":*", "update_strategy": "immediate"}
	for i := 0; i+1 < len(policy); i += 2 {
		p[policy[i].(string)] = policy[i+1]
	}
	f.s.Must(201, "POST", "/api/v1/policies", p)
}

// hook sends Airlock's own webhook form with secret and returns the answer.
func (f fixture) hook(secret, image string) map[string]any {
	f.t.Helper()
	r := f.s.Do("POST", "/api/v1/webhooks/generic", secret, map[string]any{"image": image})
	if r.Status != 200 {
		f.t.Fatalf("webhook %s: %d %s", image, r.Status, r.Body)
	}
	return r.Map(f.t)
}

// declaredRegistry runs a Distribution registry declared in Airlock that
// notifies Airlock of each push with its own secret.
func declaredRegistry(f fixture) *registrytest.Registry {
	return registrytest.Start(f.t, registrytest.Options{Notify: func(host string) (string, http.Header) {
		url, secret := f.declare(host, nil)
		return url, http.Header{"Authorization": {"Bearer " + secret}}
	}})
}

// pushed waits for the notification of digest and returns Airlock's answer.
func pushed(t *testing.T, reg *registrytest.Registry, digest string, err error) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	d := reg.WaitForPush(digest)
	if d.Status != 200 {
		t.Fatalf("push %s answered %d: %s", digest, d.Status, d.Response)
	}
	r := apitest.Response{Status: d.Status, Body: d.Response}
	return r.Map(t)
}

// eventually polls ok until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withResolver runs a server whose resolver and poller run every tick.
func withResolver(t *testing.T, dbURL string, tick time.Duration) fixture {
	s := apitest.Start(t, dbURL, apitest.WithService(func(svc *service.Service) { svc.ReleaseTick = tick }))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s.Svc.StartReleases(ctx)
	return fixture{t, s}
}

// An amd64-only image goes to amd64 devices by digest and never to an
// arm64 device, which is skipped with the reason.
func TestAmd64ImageSkipsArm64Devices(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0", "architecture", "x86_64")
		f.device("pi", repo+":1.0", "architecture", "aarch64")
		f.device("old", repo+":1.0") // never said its platform: updated as before platforms were known

		digest, err := reg.PushImage(context.Background(), "acme/sensor", "2.0")
		v := pushed(t, reg, digest, err)
		ro, _ := v["rollout"].(map[string]any)
		if ro == nil {
			t.Fatalf("no rollout: %v\n%s", v, s.Logs.String())
		}
		pinned := repo + ":2.0@" + digest
		if got := f.target("pc"); got != pinned {
			t.Fatalf("pc runs %s, want %s", got, pinned)
		}
		if got := f.target("old"); got != pinned {
			t.Fatalf("old runs %s, want %s", got, pinned)
		}
		if got := f.target("pi"); got != repo+":1.0" {
			t.Fatalf("the arm64 device was given %s", got)
		}
		if why := f.skipped(int64(ro["id"].(float64)))["pi"]; why != "no linux/arm64 in this image" {
			t.Fatalf("pi skipped for %q", why)
		}
		rels := f.releases("image=" + repo + "&tag=2.0")
		if len(rels) != 1 || !rels[0].Pinned || rels[0].Digest != digest || rels[0].Status != "ready" ||
			len(rels[0].Platforms) != 1 || rels[0].Platforms[0].Architecture != "amd64" || rels[0].RolloutID == nil {
			t.Fatalf("releases: %+v", rels)
		}
		var one release
		f.s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", rels[0].ID), nil).JSON(t, &one)
		if one.Decision["platforms"] == nil || one.Decision["rollout_id"] == nil {
			t.Fatalf("decision: %v", one.Decision)
		}
	})
}

// A three-platform index goes to devices of all three, pinned to the index
// digest.
func TestIndexGoesToEveryPlatformPinnedToTheIndex(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/agent"
		f.approve(repo)
		f.device("pc", repo+":1.0", "platform", "linux/amd64")
		f.device("pi4", repo+":1.0", "architecture", "arm64")
		f.device("pi3", repo+":1.0", "architecture", "armv7l")

		digest, err := reg.PushIndex(context.Background(), "acme/agent", "2.0", "linux/amd64", "linux/arm64", "linux/arm/v7")
		v := pushed(t, reg, digest, err)
		if v["rollout"] == nil {
			t.Fatalf("no rollout: %v", v)
		}
		for _, uuid := range []string{"pc", "pi4", "pi3"} {
			if got := f.target(uuid); got != repo+":2.0@"+digest {
				t.Fatalf("%s runs %s, want the index digest %s", uuid, got, digest)
			}
		}
		if rels := f.releases("tag=2.0"); len(rels) != 1 || len(rels[0].Platforms) != 3 {
			t.Fatalf("releases: %+v", rels)
		}
	})
}

// A tag-only webhook is resolved to the digest the registry holds; a
// re-pushed tag is a new release and rolls out again; the same digest
// again changes nothing.
func TestTagOnlyWebhookResolvedAndRepushRollsOutAgain(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := registrytest.Start(t, registrytest.Options{}) // sends no notifications
		_, secret := f.declare(reg.Host(), nil)
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0", "architecture", "amd64")
		ctx := context.Background()

		first, err := reg.PushImage(ctx, "acme/sensor", "latest")
		if err != nil {
			t.Fatal(err)
		}
		v := f.hook(secret, repo+":latest")
		if v["rollout"] == nil || f.target("pc") != repo+":latest@"+first {
			t.Fatalf("tag-only push: %v; pc runs %s, want digest %s", v, f.target("pc"), first)
		}
		if v := f.hook(secret, repo+":latest"); v["release"].(map[string]any)["status"] != "duplicate" {
			t.Fatalf("the same content again: %v", v)
		}
		second, err := reg.PushImage(ctx, "acme/sensor", "latest")
		if err != nil {
			t.Fatal(err)
		}
		v = f.hook(secret, repo+":latest")
		if v["rollout"] == nil || v["reason"] != nil || f.target("pc") != repo+":latest@"+second {
			t.Fatalf("re-pushed tag: %v; pc runs %s, want digest %s", v, f.target("pc"), second)
		}
		if n := len(f.releases("tag=latest&status=ready")); n != 2 {
			t.Fatalf("%d ready releases of latest, want 2", n)
		}
	})
}

// An older version pushed later does not move the fleet, and the answer
// says why; allow_downgrade lets it.
func TestOlderPushDoesNotMoveTheFleet(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0", "architecture", "amd64")
		ctx := context.Background()

		newer, err := reg.PushImage(ctx, "acme/sensor", "2.0")
		if v := pushed(t, reg, newer, err); v["rollout"] == nil {
			t.Fatalf("2.0 did not roll out: %v", v)
		}
		older, err := reg.PushImage(ctx, "acme/sensor", "1.5")
		v := pushed(t, reg, older, err)
		reason, _ := v["reason"].(string)
		if v["rollout"] != nil || !strings.Contains(reason, "1.5 is older than 2.0") {
			t.Fatalf("the older push: %v", v)
		}
		if got := f.target("pc"); got != repo+":2.0@"+newer {
			t.Fatalf("the fleet moved to %s", got)
		}
		// An admin may still go back by hand.
		f.s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": repo + ":1.5@" + older, "update_strategy": "immediate"})
		if got := f.target("pc"); got != repo+":1.5@"+older {
			t.Fatalf("the manual rollout left pc on %s", got)
		}
	})
}

// allow_downgrade lets an older push roll out.
func TestAllowDowngrade(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo, "allow_downgrade", true)
		f.device("pc", repo+":2.0", "architecture", "amd64")
		older, err := reg.PushImage(context.Background(), "acme/sensor", "1.5")
		v := pushed(t, reg, older, err)
		if v["rollout"] == nil || f.target("pc") != repo+":1.5@"+older {
			t.Fatalf("answer %v; pc runs %s", v, f.target("pc"))
		}
		rel, _ := v["release"].(map[string]any)
		var one release
		f.s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", int64(rel["id"].(float64))), nil).JSON(t, &one)
		if dir, _ := one.Decision["direction"].(map[string]any); dir["downgrade"] != true || dir["allowed"] != true {
			t.Fatalf("decision %v", one.Decision)
		}
	})
}

// A registry that sends no notifications is polled: a push is found within
// two poll intervals and rolled out by digest.
func TestPolledRegistryFindsPushes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, 100*time.Millisecond)
		reg := registrytest.Start(t, registrytest.Options{})
		const interval = time.Second
		f.declare(reg.Host(), map[string]any{"poll_interval": interval.String()})
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0", "architecture", "amd64")
		time.Sleep(interval) // the first poll has seen the empty registry

		digest, err := reg.PushImage(context.Background(), "acme/sensor", "2.0")
		if err != nil {
			t.Fatal(err)
		}
		pushedAt := time.Now()
		eventually(t, 2*interval+time.Second, "the push found and rolled out", func() bool {
			return f.target("pc") == repo+":2.0@"+digest
		})
		t.Logf("found after %s", time.Since(pushedAt))
		if rels := f.releases("tag=2.0"); len(rels) != 1 || rels[0].Digest != digest || !rels[0].Pinned {
			t.Fatalf("releases: %+v", rels)
		}
	})
}

// A device reports its platform (uname -m spelling); with
// require_all_platforms a release that lacks it is held, not rolled out.
func TestRequireAllPlatformsHoldsTheRelease(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/sensor"
		f.approve(repo, "require_all_platforms", true)
		f.device("pc", repo+":1.0", "architecture", "amd64")
		var pi struct {
			UUID   string
			APIKey string `json:"api_key"`
		}
		f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": "pi"}).JSON(t, &pi)
		f.s.Must(200, "PUT", "/api/v1/devices/pi/target-state", map[string]any{
			"apps": map[string]any{"app": map[string]any{"image": repo + ":1.0"}}, "force": true, "reason": "runs it"})
		r := f.s.Do("PATCH", "/api/v1/devices/pi/state", pi.APIKey, map[string]any{"platform": "aarch64",
			"apps": map[string]any{"app": map[string]any{"image": repo + ":1.0", "status": "running"}}})
		if r.Status != 204 {
			t.Fatalf("report: %d %s", r.Status, r.Body)
		}
		if p := f.s.Must(200, "GET", "/api/v1/devices/pi", nil).Map(t)["platform"]; p != "linux/arm64" {
			t.Fatalf("reported platform stored as %v", p)
		}

		digest, err := reg.PushImage(context.Background(), "acme/sensor", "2.0")
		v := pushed(t, reg, digest, err)
		rel, _ := v["release"].(map[string]any)
		if v["rollout"] != nil || rel["status"] != "held" || !strings.Contains(v["reason"].(string), "no linux/arm64 in this image") {
			t.Fatalf("answer %v", v)
		}
		if f.target("pc") != repo+":1.0" {
			t.Fatalf("pc moved to %s", f.target("pc"))
		}
	})
}

// A tag-only push whose content turns out to be an artifact (a Helm chart)
// is recorded and refused, never rolled out.
func TestTagOnlyArtifactIsNeverDeployed(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := registrytest.Start(t, registrytest.Options{})
		_, secret := f.declare(reg.Host(), nil)
		repo := reg.Host() + "/acme/chart"
		f.approve(repo)
		f.device("pc", repo+":1.0", "architecture", "amd64")
		if _, err := reg.PushArtifact(context.Background(), "acme/chart", "2.0", registrytest.HelmChartArtifact()); err != nil {
			t.Fatal(err)
		}
		v := f.hook(secret, repo+":2.0")
		rel, _ := v["release"].(map[string]any)
		if v["rollout"] != nil || rel["status"] != "refused" || !strings.Contains(rel["reason"].(string), "helm-chart") {
			t.Fatalf("answer %v", v)
		}
	})
}

// Bad input to the new fields is a client error, never a 500.
func TestReleaseInputsAreValidated(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/releases?status=bogus", nil},
			{"GET", "/api/v1/releases?image=" + strings.Repeat("A", 3), nil},
			{"GET", "/api/v1/releases?limit=-1", nil},
			{"POST", "/api/v1/registries", map[string]any{"host": "r.lab:5000", "kind": "distribution", "poll_interval": "often"}},
			{"POST", "/api/v1/registries", map[string]any{"host": "r.lab:5000", "kind": "distribution", "poll_interval": "1ms"}},
			{"POST", "/api/v1/devices", map[string]any{"platform": "z80/os"}},
		} {
			if r := s.Admin(c.method, c.path, c.body); r.Status != 400 && r.Status != 422 {
				t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
		s.Must(404, "GET", "/api/v1/releases/99", nil)
		var reg struct {
			PollInterval string `json:"poll_interval"`
		}
		s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": "r.lab:5000", "kind": "distribution", "poll_interval": "300s"}).JSON(t, &reg)
		if reg.PollInterval != "5m0s" {
			t.Fatalf("poll_interval %q", reg.PollInterval)
		}
	})
}
