package web_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/agent"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestRolloutProgress: with a simulated fleet running redis, an approved
// push rolls out in three batches; the rollout appears in the list as it is
// created, and its page's progress bar climbs to 100% while the devices
// update, carried by the event stream. A screenshot of the finished
// rollout is kept (its path is in the test log).
func TestRolloutProgress(t *testing.T) {
	s := server(t, apitest.WithMonitor(50*time.Millisecond))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	fleet, err := agent.Start(ctx, agent.Config{Server: s.URL, Token: apitest.AdminToken, Devices: 6, Image: "redis:7.5-alpine",
		Interval: 100 * time.Millisecond, PullDelay: 50 * time.Millisecond, MetricsEvery: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Wait()
	defer stop()
	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := fleet.WaitFor(wait, func(s agent.Summary) bool { return s.Count("redis:7.5-alpine", "running") == 6 }); err != nil {
		t.Fatal(err)
	}
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
	s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "batch_size": 2,
		"batch_delay_seconds": 2, "health_check_timeout_seconds": 30})

	p := open(t, s)
	p.signIn(apitest.AdminToken)
	p.goTo("/rollouts")
	p.waitFor("the empty list", exists("[data-testid=rollouts] [data-testid=empty]"))

	r := push(t, s, "docker.io/library/redis:7.6-alpine")
	var answer struct {
		Rollout *struct{ ID int64 } `json:"rollout"`
	}
	if r.JSON(t, &answer); r.Status != 200 || answer.Rollout == nil {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	p.waitFor("the rollout appears in the list", exists("[data-testid=rollout-row] [data-testid=rollout-link]"))
	p.click("[data-testid=rollout-row] [data-testid=rollout-link]")

	// Watch the bar: it must show the rollout under way before it shows it done.
	seen := watchProgress(t, p, fleet)
	if !slices.ContainsFunc(seen, func(v int) bool { return v >= 0 && v < 100 }) {
		t.Errorf("the bar went straight to 100%%; saw %v", seen)
	}
	p.waitFor("the rollout is completed", `document.querySelector('[data-testid=rollout-status]').dataset.status === 'completed'`)
	p.waitFor("every device succeeded", `document.querySelectorAll('[data-testid=device-row][data-status=succeeded]').length === 6`)
	if got := eval[string](p, `document.querySelector('[data-testid=count-succeeded] b').textContent`); got != "6" {
		t.Errorf("succeeded count: %q", got)
	}
	p.waitFor("the bar has stopped moving", "document.getAnimations().length === 0")
	screenshot(t, p, "rollout.png")

	p.goTo("/devices")
	p.waitFor("the fleet runs the new image", `[...document.querySelectorAll('[data-testid=device-app]')].filter((e) => e.textContent.includes('redis:7.6-alpine (running)')).length === 6`)
	if online := eval[int](p, `document.querySelectorAll('[data-testid=device-row] .badge.online').length`); online != 6 {
		t.Errorf("%d devices shown online, want 6", online)
	}
}

// watchProgress polls the progress bar until it reaches 100% and returns
// each distinct value it showed on the way.
func watchProgress(t *testing.T, p *page, fleet *agent.Fleet) []int {
	t.Helper()
	var seen []int
	deadline := time.Now().Add(25 * time.Second)
	for {
		pct := eval[int](p, `+(document.querySelector('[data-testid=rollout-progress]')?.getAttribute('aria-valuenow') ?? -1)`)
		if len(seen) == 0 || seen[len(seen)-1] != pct {
			seen = append(seen, pct)
		}
		if pct == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the progress bar never reached 100%%: saw %v\n%s", seen, fleet.Summary())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("progress seen: %v", seen)
	return seen
}

// screenshot saves the page as a PNG under $AIRLOCK_UI_ARTIFACTS (default:
// airlock-ui in the temporary directory, which outlives the test) and logs where.
func screenshot(t *testing.T, p *page, name string) {
	t.Helper()
	dir := os.Getenv("AIRLOCK_UI_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "airlock-ui")
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the rollout view: %s", path)
}
