package overviewapi_test

import (
	"reflect"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/overview"
)

// TestFleetImages: four devices told to run redis (one on the latest
// release, one behind, one updating, one crashing) and one told to run
// nginx, which has no release: GET /fleet/images counts them per image, on
// both engines, for a viewer.
func TestFleetImages(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "nginx"})
		if r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
			map[string]any{"image": "docker.io/library/redis:7.5-alpine"}); r.Status != 200 {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
		for _, d := range []struct{ uuid, app, target, current, status string }{
			{"on-latest", "cache", "redis:7.5-alpine", "redis:7.5-alpine", "running"},
			{"behind", "cache", "redis:7.4-alpine", "redis:7.4-alpine", "running"},
			{"updating", "cache", "redis:7.5-alpine", "redis:7.4-alpine", "running"},
			{"crashing", "cache", "redis:7.5-alpine", "redis:7.5-alpine", "exited"},
			{"web", "web", "nginx:1.27", "", ""},
		} {
			var dev struct {
				APIKey string `json:"api_key"`
			}
			s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": d.uuid}).JSON(t, &dev)
			s.Must(200, "PUT", "/api/v1/devices/"+d.uuid+"/target-state", map[string]any{"apps": map[string]any{d.app: map[string]any{"image": d.target}}})
			if d.current != "" {
				if r := s.Do("PATCH", "/api/v1/devices/"+d.uuid+"/state", dev.APIKey, map[string]any{"apps": map[string]any{
					d.app: map[string]any{"image": d.current, "status": d.status}}}); r.Status != 204 {
					t.Fatalf("report %s: %d %s", d.uuid, r.Status, r.Body)
				}
			}
		}
		var got struct {
			Items []overview.Image
			Total int
		}
		if r := s.Do("GET", "/api/v1/fleet/images", s.Token("viewer"), nil); r.Status != 200 {
			t.Fatalf("viewer: %d %s", r.Status, r.Body)
		} else {
			r.JSON(t, &got)
		}
		if len(got.Items) != 2 || got.Total != 2 || got.Items[1].Latest == nil {
			t.Fatalf("overview: %+v", got)
		}
		redis := got.Items[1]
		redis.Latest = nil
		want := []overview.Image{{Repository: "docker.io/library/nginx", Devices: 1, Updating: 1},
			{Repository: "docker.io/library/redis", Devices: 4, OnLatest: 1, Behind: 1, Updating: 1, Failing: 1}}
		if got.Items[1].Latest.Tag != "7.5-alpine" || !reflect.DeepEqual([]overview.Image{got.Items[0], redis}, want) {
			t.Errorf("overview: %+v (latest %+v)\nwant %+v", got.Items, got.Items[1].Latest, want)
		}
	})
}
