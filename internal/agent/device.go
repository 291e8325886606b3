package agent

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// App is what a simulated device runs for one app.
type App struct {
	Image   string `json:"image"`
	Status  string `json:"status"`
	Healthy bool   `json:"healthy"`
}

// Statuses a simulated device reports (and the summary shows).
const (
	StatusPulling = "pulling"
	StatusRunning = "running"
	StatusFailed  = "failed"
	// StatusWaiting and StatusRejected are the agent's own: a device that
	// has not got its target state yet, and one the server refuses.
	StatusWaiting  = "waiting"
	StatusRejected = "rejected"
)

type device struct {
	Credentials
	fleet    *Fleet
	failTags map[string]bool
	started  time.Time

	mu       sync.Mutex
	apps     map[string]App
	rejected bool

	etag string
}

// run polls, applies and reports until ctx ends. The first poll comes at a
// random moment of the first interval, so a fleet does not poll in step.
func (d *device) run(ctx context.Context) {
	cfg := d.fleet.cfg
	wait := time.Duration(rand.Int64N(int64(cfg.Interval)))
	nextMetrics := time.Now().Add(cfg.MetricsEvery)
	for sleep(ctx, wait) {
		wait = jitter(cfg.Interval)
		target, err := d.poll(ctx)
		switch {
		case err != nil:
			d.failed(ctx, "poll", err)
		case target != nil:
			d.apply(ctx, target)
			nextMetrics = time.Now().Add(cfg.MetricsEvery)
		case time.Now().After(nextMetrics):
			d.report(ctx, d.snapshot())
			nextMetrics = time.Now().Add(cfg.MetricsEvery)
		}
	}
}

// poll returns the new target apps, or nil when nothing changed (304).
func (d *device) poll(ctx context.Context) (map[string]App, error) {
	var body struct {
		Apps map[string]App `json:"apps"`
	}
	resp, err := d.fleet.api.do(ctx, "GET", "/api/v1/devices/"+d.UUID+"/target-state", d.Key, nil, &body,
		"If-None-Match", d.etag)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.rejected = false
	d.mu.Unlock()
	if resp.StatusCode == http.StatusNotModified {
		return nil, nil
	}
	d.etag = resp.Header.Get("ETag")
	if body.Apps == nil {
		body.Apps = map[string]App{}
	}
	return body.Apps, nil
}

// apply makes the device run target: apps whose image changed are pulled
// (reported as pulling, then running or failed), removed apps stop.
func (d *device) apply(ctx context.Context, target map[string]App) {
	next := map[string]App{}
	changed := map[string]string{}
	current := d.snapshot()
	for name, want := range target {
		next[name] = current[name]
		if current[name].Image != want.Image {
			next[name] = App{Image: want.Image, Status: StatusPulling}
			changed[name] = want.Image
		}
	}
	d.commit(ctx, next)
	if len(changed) == 0 || !sleep(ctx, time.Duration(rand.Int64N(int64(d.fleet.cfg.PullDelay)+1))) {
		return
	}
	next = maps.Clone(next)
	for name, image := range changed {
		next[name] = d.startedApp(image)
	}
	d.commit(ctx, next)
}

// commit reports apps, then shows them in the summary: once the summary
// shows a state, the server has been told it.
func (d *device) commit(ctx context.Context, apps map[string]App) {
	d.report(ctx, apps)
	d.mu.Lock()
	d.apps = apps
	d.mu.Unlock()
}

func (d *device) snapshot() map[string]App {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.apps)
}

// startedApp is how an app of image ends up after its pull.
func (d *device) startedApp(image string) App {
	ref, err := imageref.Parse(image)
	if err != nil || d.failTags[ref.Tag] {
		return App{Image: image, Status: StatusFailed}
	}
	return App{Image: image, Status: StatusRunning, Healthy: true}
}

// report sends apps as what the device runs, with metrics.
func (d *device) report(ctx context.Context, apps map[string]App) {
	body := map[string]any{"apps": apps, "metrics": map[string]any{
		"cpu_percent":    float64(rand.IntN(400)+50) / 10,
		"memory_percent": float64(rand.IntN(300)+200) / 10,
		"uptime_seconds": int64(time.Since(d.started).Seconds()),
	}}
	if _, err := d.fleet.api.do(ctx, "PATCH", "/api/v1/devices/"+d.UUID+"/state", d.Key, body, nil); err != nil {
		d.failed(ctx, "report", err)
	}
}

// failed counts a failed request; a refused key marks the device rejected.
func (d *device) failed(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return // stopping
	}
	d.fleet.errors.Add(1)
	var se *statusError
	if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
		d.mu.Lock()
		d.rejected = true
		d.mu.Unlock()
	}
	d.fleet.cfg.Log.Debug("device request failed", "device", d.UUID, "request", what, "err", err)
}

// sleep waits for d or until ctx ends, and says whether to go on.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// jitter spreads d by ±20%.
func jitter(d time.Duration) time.Duration {
	return d*8/10 + time.Duration(rand.Int64N(int64(d)*4/10+1))
}
