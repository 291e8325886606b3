package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
)

// The six ways the gate was found open (issue 13), each a test against a
// real server on SQLite and PostgreSQL, and where a registry sends the
// pushes, a real CNCF Distribution registry pushed to by go-containerregistry.

// gateFixture is a server with devices that run app "app" of some image.
type gateFixture struct {
	t *testing.T
	s *apitest.Server
}

// device provisions uuid running image; a fleet starts on whatever it
// runs, so the write is forced.
func (f gateFixture) device(uuid, image string) {
	f.t.Helper()
	f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid})
	f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{
		"apps": map[string]any{"app": map[string]any{"image": image}}, "force": true, "reason": "the fleet runs it already"})
}

// image returns the image app "app" of device uuid is to run.
func (f gateFixture) image(uuid string) string {
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

func (f gateFixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.s.DB.QueryInt(context.Background(), &n, q, args...); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// wantError fails unless r has status and the guide's error title.
func wantError(t *testing.T, r apitest.Response, status int, title string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	m := r.Map(t)
	if m["error"] != title {
		t.Fatalf("error %q, want %q: %s", m["error"], title, r.Body)
	}
	return m
}

// 1. Manual paths skip the gate: POST /rollouts and PUT target-state of a
// deprecated tag or an unapproved image are refused with the gate's body,
// and change nothing.
func TestManualPathsPassTheGate(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := gateFixture{t, s}
		deprecated(t, s, "redis", "6-alpine")
		deprecated(t, s, "nginx", "latest")
		f.device("dev-1", "redis:7.4-alpine")
		approver := s.Token("approver")

		r := s.Do("POST", "/api/v1/rollouts", approver, map[string]any{"image": "redis:6-alpine"})
		if m := wantError(t, r, 403, "Tag deprecated"); m["message"] != "Tag '6-alpine' for image 'redis' is marked as deprecated" {
			t.Fatalf("message: %s", r.Body)
		}
		r = s.Do("POST", "/api/v1/rollouts", approver, map[string]any{"image": "evil/miner:v3"})
		if m := wantError(t, r, 403, "Image not approved"); m["action_required"] == nil {
			t.Fatalf("no action_required: %s", r.Body)
		}
		if r := s.Do("POST", "/api/v1/rollouts", approver, map[string]any{"image": "evil/miner:v3", "force": true}); r.Status != 422 {
			t.Fatalf("a manual rollout took force: %d %s", r.Status, r.Body)
		}
		if m := wantError(t, f.set("dev-1", "evil/miner:v3"), 403, "Image not approved"); m["app"] != "app" {
			t.Fatalf("refusal names no app: %v", m)
		}
		wantError(t, f.set("dev-1", "redis:6-alpine"), 403, "Tag deprecated")
		wantError(t, f.set("dev-1", "nginx"), 403, "Tag deprecated") // a bare name pulls latest: that tag is gated
		if n := f.count(`SELECT COUNT(*) FROM image_update_rollouts`); n != 0 || f.image("dev-1") != "docker.io/library/redis:7.4-alpine" {
			t.Fatalf("refusals changed something: %d rollouts, device on %s", n, f.image("dev-1"))
		}
		if n := f.count(`SELECT COUNT(*) FROM image_approval_requests`); n != 0 {
			t.Fatalf("a manual path raised %d approval requests", n)
		}
	})
}

// An admin may force a target-state write, with a reason, and it is
// recorded; what the gate allows goes through without force.
func TestGateOverrideAndAllowedManualPaths(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := gateFixture{t, s}
		deprecated(t, s, "redis", "6-alpine")
		f.device("dev-1", "redis:7.4-alpine")
		if r := f.set("dev-1", "evil/miner:v3", "force", true); r.Status != 422 || !strings.Contains(string(r.Body), "reason") {
			t.Fatalf("force without a reason: %d %s", r.Status, r.Body)
		}
		if r := f.set("dev-1", "evil/miner:v3", "force", true, "reason", "incident 42: vendor hotfix"); r.Status != 200 {
			t.Fatalf("forced write: %d %s", r.Status, r.Body)
		}
		var events struct {
			Items []struct {
				Actor   string
				Payload map[string]any
			}
		}
		s.Must(200, "GET", "/api/v1/events?type=image.gate_overridden&subject=device/dev-1", nil).JSON(t, &events)
		if len(events.Items) != 1 || events.Items[0].Payload["reason"] != "incident 42: vendor hotfix" || events.Items[0].Actor == "" {
			t.Fatalf("override recorded as %+v", events.Items)
		}
		// An approved image's new tag goes through, and is added as a push would add it.
		f.device("dev-2", "redis:7.4-alpine")
		s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.6-alpine", "device_filter": map[string]any{"uuids": []string{"dev-2"}}})
		if n := f.count(`SELECT COUNT(*) FROM image_tags WHERE tag = '7.6-alpine' AND source = 'admin' AND is_recommended = FALSE`); n != 1 {
			t.Fatalf("tag 7.6-alpine added %d times", n)
		}
		// A rewrite that keeps an app's image keeps it, whatever the catalogue says of it now.
		s.Must(200, "PUT", "/api/v1/devices/dev-1/target-state", map[string]any{"apps": map[string]any{
			"app": map[string]any{"image": "evil/miner:v3"}, "cache": map[string]any{"image": "redis:7.6-alpine"}}})
	})
}

// deprecated approves image with tag deprecated.
func deprecated(t *testing.T, s *apitest.Server, image, tag string) {
	t.Helper()
	var img struct{ ID int64 }
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": image}).JSON(t, &img)
	s.Must(201, "POST", fmt.Sprintf("/api/v1/images/%d/tags", img.ID), map[string]any{"tag": tag, "is_deprecated": true})
}

// set writes app "app" of device uuid as an admin, with extra members.
func (f gateFixture) set(uuid, image string, extra ...any) apitest.Response {
	body := map[string]any{"apps": map[string]any{"app": map[string]any{"image": image}}}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return f.s.Admin("PUT", "/api/v1/devices/"+uuid+"/target-state", body)
}

// staged creates a staged rollout of redis, one device per batch, over
// dev-1…dev-3 on redis:7.4-alpine, by a push of tag; it returns its id.
func staged(t *testing.T, f gateFixture, tag string) int64 {
	t.Helper()
	r := f.s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "", map[string]any{"image": "redis:" + tag})
	var body struct {
		Rollout *struct{ ID int64 }
	}
	r.JSON(t, &body)
	if r.Status != 200 || body.Rollout == nil {
		t.Fatalf("push redis:%s: %d %s", tag, r.Status, r.Body)
	}
	return body.Rollout.ID
}

type rolloutDevices struct {
	Items []struct {
		DeviceUUID string `json:"device_uuid"`
		Status     string
		Error      string
	}
}

// 2. Changing the catalogue stops a running rollout: rejecting or deleting
// the image rolls back what it gave and gives the rest nothing; deprecating
// its tag stops further batches and leaves devices on it; each says why.
func TestCatalogueStopsRunningRollouts(t *testing.T) {
	t.Parallel()
	for _, change := range []string{"reject", "delete", "deprecate"} {
		t.Run(change, func(t *testing.T) {
			t.Parallel()
			apitest.Each(t, func(t *testing.T, s *apitest.Server) {
				f := gateFixture{t, s}
				var img struct{ ID int64 }
				s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"}).JSON(t, &img)
				s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 1, "batch_delay_seconds": 0})
				for i := 1; i <= 3; i++ {
					f.device(fmt.Sprintf("dev-%d", i), "redis:7.4-alpine")
				}
				id := staged(t, f, "7.5-alpine")
				if f.image("dev-1") != "docker.io/library/redis:7.5-alpine" {
					t.Fatalf("batch 1 did not start: dev-1 on %s", f.image("dev-1"))
				}
				wantStatus, wantFirst, why := stopBy(t, s, change, img.ID)
				var ro struct{ Status, Reason string }
				s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &ro)
				if ro.Status != wantStatus || !strings.Contains(ro.Reason, why) {
					t.Fatalf("rollout %s (%q), want %s because %q", ro.Status, ro.Reason, wantStatus, why)
				}
				if got := f.image("dev-1"); got != wantFirst {
					t.Fatalf("dev-1 on %s, want %s", got, wantFirst)
				}
				for _, uuid := range []string{"dev-2", "dev-3"} {
					if got := f.image(uuid); got != "docker.io/library/redis:7.4-alpine" {
						t.Fatalf("%s got %s after the catalogue changed", uuid, got)
					}
				}
				var devs rolloutDevices
				s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices", id), nil).JSON(t, &devs)
				for _, d := range devs.Items {
					if d.DeviceUUID != "dev-1" && d.Status != "skipped" {
						t.Fatalf("%s is %s", d.DeviceUUID, d.Status)
					}
				}
				if n := f.count(`SELECT COUNT(*) FROM events WHERE type = $1 AND payload LIKE $2`,
					"image.rollout_"+wantStatus, "%"+why+"%"); n != 1 {
					t.Fatalf("%d image.rollout_%s events saying why", n, wantStatus)
				}
			})
		})
	}
}

// stopBy changes the catalogue and says what the rollout should become,
// where dev-1 should end and why.
func stopBy(t *testing.T, s *apitest.Server, change string, imageID int64) (status, first, why string) {
	t.Helper()
	switch change {
	case "reject":
		s.Must(200, "PUT", fmt.Sprintf("/api/v1/images/%d", imageID), map[string]any{"approval_status": "rejected"})
		return "rolled_back", "docker.io/library/redis:7.4-alpine", "image docker.io/library/redis is now rejected"
	case "delete":
		s.Must(204, "DELETE", fmt.Sprintf("/api/v1/images/%d", imageID), nil)
		return "rolled_back", "docker.io/library/redis:7.4-alpine", "image docker.io/library/redis was removed from the catalogue"
	}
	var img struct {
		Tags []struct {
			ID  int64
			Tag string
		}
	}
	s.Must(200, "GET", fmt.Sprintf("/api/v1/images/%d", imageID), nil).JSON(t, &img)
	for _, tag := range img.Tags {
		if tag.Tag == "7.5-alpine" {
			s.Must(200, "PUT", fmt.Sprintf("/api/v1/images/%d/tags/%d", imageID, tag.ID),
				map[string]any{"is_deprecated": true, "deprecated_reason": "CVE-2025-0001"})
		}
	}
	return "cancelled", "docker.io/library/redis:7.5-alpine", "tag 7.5-alpine of docker.io/library/redis was deprecated: CVE-2025-0001"
}

// declare declares reg's host with aliases and returns its webhook URL and secret.
func declare(t *testing.T, s *apitest.Server, host string, aliases ...string) (url, secret string) {
	t.Helper()
	var r struct {
		WebhookURL    string `json:"webhook_url"`
		WebhookSecret string `json:"webhook_secret"`
	}
	s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": host, "aliases": aliases, "kind": "distribution"}).JSON(t, &r)
	if r.WebhookSecret == "" || !strings.HasSuffix(r.WebhookURL, "/api/v1/webhooks/distribution") {
		t.Fatalf("registry answer: %+v", r)
	}
	return r.WebhookURL, r.WebhookSecret
}

// startRegistry runs a Distribution registry, declared with the aliases
// given its port, that sends its notifications with its own secret.
func startRegistry(t *testing.T, s *apitest.Server, aliases func(port string) []string) *registrytest.Registry {
	t.Helper()
	return registrytest.Start(t, registrytest.Options{Notify: func(host string) (string, http.Header) {
		_, port, _ := strings.Cut(host, ":")
		url, secret := declare(t, s, host, aliases(port)...)
		return url, http.Header{"Authorization": {secret}}
	}})
}

// globalRegistry runs an undeclared Distribution registry that sends its
// notifications with the global secret.
func globalRegistry(t *testing.T, s *apitest.Server) *registrytest.Registry {
	t.Helper()
	return registrytest.Start(t, registrytest.Options{NotifyURL: s.URL + "/api/v1/webhooks/distribution",
		Headers: http.Header{"Authorization": {"Bearer " + apitest.WebhookSecret}}})
}

func noAliases(string) []string { return nil }

// verdict decodes a delivery's answer.
func verdict(t *testing.T, d registrytest.Delivery) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(d.Response, &m); err != nil {
		t.Fatalf("answer %d %s: %v", d.Status, d.Response, err)
	}
	return m
}
