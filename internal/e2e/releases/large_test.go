package releases_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// largeFleet runs a server that decides a release on counts over more
// than three target apps, and plans such rollouts two apps per chunk, with
// a declared registry and the repository acme/sensor on it.
func largeFleet(t *testing.T, dbURL string) (fixture, *registrytest.Registry, string) {
	f := fixture{t, apitest.Start(t, dbURL, apitest.WithService(func(s *service.Service) {
		s.Planning = rollouts.PlanSettings{InlineMax: 3, Chunk: 2}
	}))}
	reg := declaredRegistry(f)
	return f, reg, reg.Host() + "/acme/sensor"
}

// Over a fleet too large to decide device by device, an amd64-only image
// still goes only to the devices that can run it: the planner skips the
// arm64 ones with the reason a small fleet gives them.
func TestLargeFleetSkipsDevicesLackingThePlatform(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f, reg, repo := largeFleet(t, dbURL)
		f.approve(repo)
		for _, d := range []struct{ uuid, arch string }{{"pc1", "x86_64"}, {"pi1", "aarch64"}, {"pc2", "amd64"}, {"pi2", "aarch64"}, {"old", ""}} {
			f.device(d.uuid, repo+":1.0", "architecture", d.arch)
		}
		digest, err := reg.PushImage(context.Background(), "acme/sensor", "2.0")
		v := pushed(t, reg, digest, err)
		ro, _ := v["rollout"].(map[string]any)
		if ro == nil || ro["status"] != "planning" {
			t.Fatalf("answer %v, want a planning rollout", v)
		}
		if err := f.s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		pinned := repo + ":2.0@" + digest
		for _, uuid := range []string{"pc1", "pc2", "old"} {
			if got := f.target(uuid); got != pinned {
				t.Errorf("%s runs %s, want %s", uuid, got, pinned)
			}
		}
		skipped := f.skipped(int64(ro["id"].(float64)))
		for _, uuid := range []string{"pi1", "pi2"} {
			if got := f.target(uuid); got != repo+":1.0" {
				t.Errorf("the arm64 device %s was given %s", uuid, got)
			}
			if skipped[uuid] != "no linux/arm64 in this image" {
				t.Errorf("%s skipped for %q", uuid, skipped[uuid])
			}
		}
		if len(skipped) != 2 {
			t.Errorf("skipped %v", skipped)
		}
		rel, _ := v["release"].(map[string]any)
		var one release
		f.s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", int64(rel["id"].(float64))), nil).JSON(t, &one)
		if pl, _ := one.Decision["platforms"].(map[string]any); pl["skipped_devices"] != 2.0 || pl["eligible_devices"] != 3.0 {
			t.Fatalf("decision platforms %v, want counted", one.Decision["platforms"])
		}
	})
}

// Forward only holds over a large fleet: devices on a newer tag keep it.
func TestLargeFleetRefusesAnOlderPush(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f, reg, repo := largeFleet(t, dbURL)
		f.approve(repo)
		for n := range 5 {
			f.device(fmt.Sprintf("dev-%d", n), repo+":2.0", "architecture", "amd64")
		}
		older, err := reg.PushImage(context.Background(), "acme/sensor", "1.5")
		v := pushed(t, reg, older, err)
		reason, _ := v["reason"].(string)
		if v["rollout"] != nil || !strings.Contains(reason, "1.5 is older than 2.0") {
			t.Fatalf("the older push: %v", v)
		}
		if got := f.target("dev-0"); got != repo+":2.0" {
			t.Fatalf("the fleet moved to %s", got)
		}
	})
}

// require_all_platforms holds a release over a large fleet too.
func TestLargeFleetRequireAllPlatformsHolds(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f, reg, repo := largeFleet(t, dbURL)
		f.approve(repo, "require_all_platforms", true)
		for n := range 5 {
			arch := []string{"amd64", "aarch64"}[n%2]
			f.device(fmt.Sprintf("dev-%d", n), repo+":1.0", "architecture", arch)
		}
		digest, err := reg.PushImage(context.Background(), "acme/sensor", "2.0")
		v := pushed(t, reg, digest, err)
		reason, _ := v["reason"].(string)
		if v["rollout"] != nil || !strings.Contains(reason, "no linux/arm64 in this image (2 devices)") {
			t.Fatalf("answer %v, want held", v)
		}
	})
}
