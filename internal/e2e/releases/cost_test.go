package releases_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// manifestSize is the sum of the layer and config sizes the registry's
// manifest of repo@digest lists, read with go-containerregistry.
func manifestSize(t *testing.T, reg *registrytest.Registry, repo, digest string) int64 {
	t.Helper()
	ref, err := name.NewDigest(reg.Host()+"/"+repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

// sized is GET /releases/{id}'s size fields.
type sized struct {
	SizeKnown     bool  `json:"size_known"`
	SizeBytes     int64 `json:"size_bytes"`
	PlatformSizes []struct {
		Platform  struct{ OS, Architecture string }
		SizeBytes int64 `json:"size_bytes"`
	} `json:"platform_sizes"`
}

// rolloutCost is GET /rollouts/{id}'s bytes and cost.
type rolloutCost struct {
	DownloadBytes int64 `json:"download_bytes"`
	Cost          struct {
		Currency      string
		EstimatedCost float64 `json:"estimated_cost"`
		ActualCost    float64 `json:"actual_cost"`
		Devices       []struct {
			UUID          string
			DownloadBytes int64 `json:"download_bytes"`
		}
	}
}

func (f fixture) rolloutCost(id int64) rolloutCost {
	f.t.Helper()
	var c rolloutCost
	f.s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(f.t, &c)
	return c
}

// Issue 23: a single-platform release's size_bytes is the sum of its
// manifest's layer and config sizes; a rollout to devices whose image
// shares no layer with it downloads devices × size, shown per device.
func TestReleaseSizeAndRolloutDownload(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/weighed"
		f.approve(repo)
		ctx := context.Background()
		old, err := reg.PushImage(ctx, "acme/weighed", "1.0")
		pushed(t, reg, old, err)
		for i := range 3 {
			f.device(fmt.Sprintf("gw%d", i), repo+":1.0@"+old)
		}
		next, err := reg.PushImage(ctx, "acme/weighed", "2.0")
		v := pushed(t, reg, next, err)
		ro, _ := v["rollout"].(map[string]any)
		if ro == nil {
			t.Fatalf("no rollout: %v", v)
		}
		want := manifestSize(t, reg, "acme/weighed", next)
		var size sized
		s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", f.releaseOf(repo, "2.0").ID), nil).JSON(t, &size)
		if !size.SizeKnown || size.SizeBytes != want || len(size.PlatformSizes) != 1 ||
			size.PlatformSizes[0].SizeBytes != want || size.PlatformSizes[0].Platform.Architecture != "amd64" {
			t.Fatalf("size of the release: %+v, want %d", size, want)
		}
		c := f.rolloutCost(int64(ro["id"].(float64)))
		if c.DownloadBytes != 3*want || len(c.Cost.Devices) != 3 {
			t.Fatalf("rollout downloads %+v, want 3 × %d", c, want)
		}
		for _, d := range c.Cost.Devices {
			if d.DownloadBytes != want {
				t.Fatalf("%s downloads %d, want %d", d.UUID, d.DownloadBytes, want)
			}
		}
	})
}

// Issue 23: a rollout over its policy's max_download_bytes_per_device is
// held for an approver with the figures shown; an approver's release lets
// it roll out, priced under the cost rules.
func TestRolloutOverDownloadLimitWaitsForAnApprover(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(50*time.Millisecond))
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/heavy"
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": repo})
		var pol struct{ ID int64 }
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": repo + ":*",
			"update_strategy": "immediate"}).JSON(t, &pol)
		s.Must(200, "PUT", "/api/v1/cost-rules", map[string]any{"cost_rules": []map[string]any{
			{"labels": map[string]string{"link": "cellular"}, "per_gb": 1e6, "currency": "EUR"}}}) // large enough that a test image costs cents
		limits := fmt.Sprintf("/api/v1/policies/%d/cost-limits", pol.ID)
		s.Must(200, "PUT", limits, map[string]any{"max_download_bytes_per_device": 100})
		ctx := context.Background()
		old, err := reg.PushImage(ctx, "acme/heavy", "1.0")
		pushed(t, reg, old, err)
		keys := f.cellular(repo+":1.0@"+old, "cell1", "cell2")
		next, err := reg.PushImage(ctx, "acme/heavy", "2.0")
		if v := pushed(t, reg, next, err); v["rollout"] != nil {
			t.Fatalf("a rollout over the limit started: %v", v)
		}
		size := manifestSize(t, reg, "acme/heavy", next)
		rel := f.releaseOf(repo, "2.0")
		if rel.Status != "held" || !strings.Contains(rel.Reason, "max_download_bytes_per_device") ||
			!strings.Contains(rel.Reason, fmt.Sprintf("%d bytes", size)) {
			t.Fatalf("the release over the limit: %+v", rel)
		}
		f.stays("cell1", repo+":1.0@"+old)
		hold := fmt.Sprintf("/api/v1/releases/%d/release-hold", rel.ID)
		if r := s.Do("POST", hold, s.Token("viewer"), nil); r.Status != 403 {
			t.Fatalf("a viewer releases the hold: %d %s", r.Status, r.Body)
		}
		approver := s.Token("approver")
		var out struct{ Rollout *struct{ ID int64 } }
		r := s.Do("POST", hold, approver, nil)
		if r.JSON(t, &out); r.Status != 200 || out.Rollout == nil {
			t.Fatalf("once released: %d %s", r.Status, r.Body)
		}
		pinned := repo + ":2.0@" + next
		eventually(t, 5*time.Second, "the released rollout reaches cell1", func() bool { return f.target("cell1") == pinned })
		c := f.rolloutCost(out.Rollout.ID)
		wantCost := math.Round(float64(2*size)/1e9*1e6*1e4) / 1e4
		if c.DownloadBytes != 2*size || c.Cost.Currency != "EUR" || c.Cost.EstimatedCost != wantCost {
			t.Fatalf("rollout cost %+v, want %d bytes costing %g EUR", c, 2*size, wantCost)
		}
		if r := s.Do("POST", hold, approver, nil); r.Status != 409 {
			t.Fatalf("releasing a hold twice: %d %s", r.Status, r.Body)
		}
		f.reportsCost(keys["cell1"], "cell1", pinned, out.Rollout.ID, wantCost/2)
	})
}

// cellular provisions devices labelled link=cellular running image, and
// returns their API keys.
func (f fixture) cellular(image string, uuids ...string) map[string]string {
	f.t.Helper()
	keys := map[string]string{}
	for _, uuid := range uuids {
		var d struct {
			APIKey string `json:"api_key"`
		}
		f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "labels": map[string]string{"link": "cellular"}}).JSON(f.t, &d)
		keys[uuid] = d.APIKey
		f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": map[string]any{
			"app": map[string]any{"image": image}}, "force": true, "reason": "the fleet runs it"})
	}
	return keys
}

// reportsCost has device uuid report running image, then checks that its
// share (cost) becomes the rollout's actual cost and its image's cost this
// month: the other device has not reported.
func (f fixture) reportsCost(key, uuid, image string, rollout int64, cost float64) {
	f.t.Helper()
	f.s.Do("GET", "/api/v1/devices/"+uuid+"/target-state", key, nil)
	if r := f.s.Do("PATCH", "/api/v1/devices/"+uuid+"/state", key, map[string]any{"apps": map[string]any{
		"app": map[string]any{"image": image, "status": "running", "health": "healthy"}}}); r.Status != 204 {
		f.t.Fatalf("report %s: %d %s", uuid, r.Status, r.Body)
	}
	eventually(f.t, 5*time.Second, uuid+"'s download is the actual cost", func() bool {
		return f.rolloutCost(rollout).Cost.ActualCost == cost
	})
	var page struct{ Items []struct{ ID int64 } }
	f.s.Must(200, "GET", "/api/v1/images?search=heavy", nil).JSON(f.t, &page)
	if len(page.Items) != 1 {
		f.t.Fatalf("images: %+v", page.Items)
	}
	var months struct {
		Items []struct {
			Month, Currency string
			Cost            float64
		}
	}
	f.s.Must(200, "GET", fmt.Sprintf("/api/v1/images/%d/costs", page.Items[0].ID), nil).JSON(f.t, &months)
	if len(months.Items) != 1 || months.Items[0].Cost != cost || months.Items[0].Currency != "EUR" ||
		months.Items[0].Month != time.Now().UTC().Format("2006-01") {
		f.t.Fatalf("the image's costs: %+v, want %g EUR this month", months.Items, cost)
	}
}

// Bad cost input is a client error naming the field, never a 500.
func TestCostInputsAreValidated(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		var rules struct {
			CostRules []any `json:"cost_rules"`
		}
		if s.Must(200, "GET", "/api/v1/cost-rules", nil).JSON(t, &rules); rules.CostRules == nil || len(rules.CostRules) != 0 {
			t.Fatalf("cost rules before any were set: %+v", rules)
		}
		var pol struct{ ID int64 }
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*"}).JSON(t, &pol)
		for _, c := range []struct {
			method, path string
			body         any
			status       int
		}{
			{"PUT", "/api/v1/cost-rules", map[string]any{"cost_rules": []map[string]any{{"per_gb": 1, "currency": "euro"}}}, 422},
			{"PUT", "/api/v1/cost-rules", map[string]any{"cost_rules": []map[string]any{{"per_gb": 1, "currency": "EUR"},
				{"labels": map[string]string{"link": "cellular"}, "per_gb": 2, "currency": "USD"}}}, 422},
			{"PUT", "/api/v1/cost-rules", map[string]any{"cost_rules": []map[string]any{{"per_gb": -1, "currency": "EUR"}}}, 422},
			{"PUT", "/api/v1/cost-rules", map[string]any{"rules": []any{}}, 422},
			{"PUT", fmt.Sprintf("/api/v1/policies/%d/cost-limits", pol.ID), map[string]any{"max_download_bytes_per_device": -1}, 422},
			{"PUT", fmt.Sprintf("/api/v1/policies/%d/cost-limits", pol.ID), map[string]any{"max_rollout_cost": -5}, 422},
			{"PUT", "/api/v1/policies/999999/cost-limits", map[string]any{"max_rollout_cost": 5}, 404},
			{"GET", "/api/v1/policies/999999/cost-limits", nil, 404},
			{"GET", "/api/v1/images/999999/costs", nil, 404},
			{"GET", "/api/v1/rollouts/999999", nil, 404},
			{"POST", "/api/v1/releases/999999/release-hold", nil, 404},
			{"POST", "/api/v1/releases/1/checks", map[string]any{"name": "smoke", "status": "passed"}, 422},
		} {
			if r := s.Admin(c.method, c.path, c.body); r.Status != c.status {
				t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.body, r.Status, r.Body, c.status)
			}
		}
		s.Must(200, "PUT", fmt.Sprintf("/api/v1/policies/%d/cost-limits", pol.ID), map[string]any{"max_rollout_cost": 12.5})
		var l struct {
			Bytes int64   `json:"max_download_bytes_per_device"`
			Cost  float64 `json:"max_rollout_cost"`
		}
		if s.Must(200, "GET", fmt.Sprintf("/api/v1/policies/%d/cost-limits", pol.ID), nil).JSON(t, &l); l.Cost != 12.5 || l.Bytes != 0 {
			t.Fatalf("limits read back: %+v", l)
		}
	})
}
