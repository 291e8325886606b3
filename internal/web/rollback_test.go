package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// rolledBack runs a rollout of redis:7.5-alpine on the real server to its
// rollback: two devices, driven through the device API by the test, report
// the new image exited with code 3 and a message naming the device. It
// returns the rollout's id.
func rolledBack(t *testing.T, s *apitest.Server) int64 {
	t.Helper()
	keys := map[string]string{}
	for _, uuid := range []string{"d1", "d2"} {
		var d struct {
			APIKey string `json:"api_key"`
		}
		s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "name": "gateway-" + uuid}).JSON(t, &d)
		s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": map[string]any{
			"cache": map[string]any{"image": "redis:7.4-alpine"}}, "force": true, "reason": "test fleet"})
		keys[uuid] = d.APIKey
	}
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
	s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 2,
		"health_check_timeout_seconds": 30, "failure_threshold_percent": 50, "min_devices_for_threshold": 2})
	var answer struct {
		Rollout *struct{ ID int64 } `json:"rollout"`
	}
	r := push(t, s, "docker.io/library/redis:7.5-alpine")
	if r.JSON(t, &answer); r.Status != 200 || answer.Rollout == nil {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	id := answer.Rollout.ID
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		for uuid, key := range keys {
			var ts struct {
				Apps map[string]struct{ Image string } `json:"apps"`
			}
			s.Do("GET", "/api/v1/devices/"+uuid+"/target-state", key, nil).JSON(t, &ts)
			app := map[string]any{"image": ts.Apps["cache"].Image, "status": "running", "health": "healthy"}
			if ts.Apps["cache"].Image != "redis:7.4-alpine" && ts.Apps["cache"].Image != "docker.io/library/redis:7.4-alpine" {
				app = map[string]any{"image": ts.Apps["cache"].Image, "status": "exited", "exit_code": 3, "message": "config missing on " + uuid}
			}
			s.Do("PATCH", "/api/v1/devices/"+uuid+"/state", key, map[string]any{"apps": map[string]any{"cache": app}})
		}
		var ro struct{ Status string }
		if s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &ro); ro.Status == "rolled_back" {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("rollout %d never rolled back: %s", id, ro.Status)
		}
	}
}

// TestRolledBackRolloutShowsWhy: after a real rollback, the rollout's page
// still shows what its failing devices reported (message, exit code, name,
// their verdict beside their rolled-back status), each batch's times, and
// who rolled it back; at 390 px nothing scrolls sideways.
func TestRolledBackRolloutShowsWhy(t *testing.T) {
	t.Parallel()
	s := server(t, apitest.WithMonitor(20*time.Millisecond))
	id := rolledBack(t, s)
	p := open(t, s)
	for _, width := range []int64{390, 1400} {
		p.do(fmt.Sprintf("setting the viewport to %d px", width), chromedp.EmulateViewport(width, 844))
		if width == 390 {
			p.signIn(apitest.AdminToken)
		}
		p.goTo("/rollouts")
		p.goTo(fmt.Sprintf("/rollouts/%d", id))
		p.waitFor("the status", `document.querySelector('[data-testid=rollout-status]').dataset.status === 'rolled_back'`)
		checks := map[string]string{
			"the failure analysis":  `[...document.querySelectorAll('[data-testid=failure-message]')].map((e) => e.textContent).sort().join('|') === 'config missing on d1|config missing on d2'`,
			"its exit code":         `document.querySelector('[data-testid=failure-group] [data-testid=failure-exit]').textContent.trim() === 'exit code 3'`,
			"each device's message": `document.querySelector('[data-testid=device-row][data-device=d1] [data-testid=device-message]').textContent.startsWith('config missing on d1 exit code 3')`,
			"the device's name":     `document.querySelector('[data-testid=device-row][data-device=d2] [data-testid=device-name]').textContent === 'gateway-d2'`,
			"its verdict":           `document.querySelector('[data-testid=device-row][data-device=d1][data-status=rolled_back] [data-testid=device-outcome]').textContent === 'judged failed'`,
			"the batch's start":     `document.querySelector('[data-testid=batch-started] time') !== null`,
			"who rolled it back":    `[...document.querySelectorAll('[data-testid=activity-item]')].some((e) => /roll/.test(e.dataset.type) && e.querySelector('[data-testid=activity-actor]').textContent !== '')`,
		}
		for what, expr := range checks {
			p.waitFor(what, expr)
		}
		if why := eval[string](p, noSideways); why != "" {
			t.Errorf("rolled-back rollout at %d px: %s", width, why)
		}
		screenshot(t, p, fmt.Sprintf("rollout-rolled-back-%d.png", width))
	}
}
