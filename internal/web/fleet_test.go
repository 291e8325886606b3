package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestFleetPage: with redis on four devices (one on the latest release,
// one behind, one updating, one crashing) and nginx on one, the fleet
// page counts each image's devices from one API request; "needs attention"
// and the search are kept in the URL. At 390 and 1,400 px nothing scrolls
// sideways; screenshots are kept.
func TestFleetPage(t *testing.T) {
	t.Parallel()
	s := server(t)
	for _, img := range []string{"redis", "nginx"} {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": img})
	}
	if r := push(t, s, "docker.io/library/redis:7.5-alpine"); r.Status != 200 {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	for _, d := range []struct{ uuid, app, target, current, status string }{
		{"on-latest", "cache", "redis:7.5-alpine", "redis:7.5-alpine", "running"},
		{"behind", "cache", "redis:7.4-alpine", "redis:7.4-alpine", "running"},
		{"updating", "cache", "redis:7.5-alpine", "redis:7.4-alpine", "running"},
		{"crashing", "cache", "redis:7.5-alpine", "redis:7.5-alpine", "exited"},
		{"web", "web", "nginx:1.27", "nginx:1.27", "running"},
	} {
		var dev struct {
			APIKey string `json:"api_key"`
		}
		s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": d.uuid}).JSON(t, &dev)
		s.Must(200, "PUT", "/api/v1/devices/"+d.uuid+"/target-state", map[string]any{"apps": map[string]any{d.app: map[string]any{"image": d.target}}})
		if r := s.Do("PATCH", "/api/v1/devices/"+d.uuid+"/state", dev.APIKey, map[string]any{"apps": map[string]any{
			d.app: map[string]any{"image": d.current, "status": d.status}}}); r.Status != 204 {
			t.Fatalf("report %s: %d %s", d.uuid, r.Status, r.Body)
		}
	}
	p := open(t, s)
	for _, width := range []int64{390, 1400} {
		p.do(fmt.Sprintf("setting the viewport to %d px", width), chromedp.EmulateViewport(width, 844))
		if width == 390 {
			p.signIn(apitest.AdminToken)
		}
		p.goTo("/fleet")
		p.waitFor("both images", `document.querySelectorAll('[data-testid=fleet-row]').length === 2`)
		redis := `document.querySelector('[data-testid=fleet-row][data-image="docker.io/library/redis"]')`
		got := eval[string](p, `['on_latest', 'updating', 'behind', 'failing'].map((k) => `+redis+`.querySelector('[data-testid=fleet-' + k + ']').textContent).join()`)
		if got != "1,1,1,1" {
			t.Errorf("redis on latest, updating, behind, failing: %s, want 1,1,1,1", got)
		}
		if tag := eval[string](p, redis+`.querySelector('[data-testid=fleet-latest]').textContent`); tag != "7.5-alpine" {
			t.Errorf("redis's latest release %q", tag)
		}
		fits(t, p, width, "fleet")
	}
	p.click("[data-testid=fleet-attention]")
	p.waitFor("only redis needs attention", `document.querySelectorAll('[data-testid=fleet-row]').length === 1 && location.hash.includes('attention=1')`)
	p.typeInto("[data-testid=fleet-search]", "nginx")
	p.waitFor("no image matches", exists("[data-testid=fleet] [data-testid=empty]"))
	if q := hashQuery(p); q != "q=nginx&attention=1" {
		t.Errorf("the URL's query %q", q)
	}
}
