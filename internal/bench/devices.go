package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// benchDevices measures the device side: target-state polls answered 304
// (against the bare net/http baseline) and 200, and state reports.
func benchDevices(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	const n = 1000
	f, err := e.seed(ctx, "poll", n, "docker.io/library/redis:7.5-alpine")
	if err != nil {
		return nil, err
	}
	etags := make([]string, n)
	for i := range n {
		if etags[i], err = e.etag(ctx, f, i); err != nil {
			return nil, err
		}
	}
	poll := func(conditional bool) request {
		return func(int) (*http.Request, error) {
			i := rand.IntN(n)
			req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/devices/"+f.uuids[i]+"/target-state", nil)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+f.keys[i])
				if conditional {
					req.Header.Set("If-None-Match", etags[i])
				}
			}
			return req, err
		}
	}
	baseline := load(ctx, e.client, cfg.Workers, cfg.Duration, 304, func(int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", e.baseline+"/api/v1/devices/x/target-state", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer dk_x")
			req.Header.Set("If-None-Match", `"baseline"`)
		}
		return req, err
	})
	notModified := load(ctx, e.client, cfg.Workers, cfg.Duration, 304, poll(true))
	full := load(ctx, e.client, cfg.Workers, cfg.Duration, 200, poll(false))
	report := load(ctx, e.client, cfg.Workers, cfg.Duration, 200, func(int) (*http.Request, error) {
		i := rand.IntN(n)
		body := `{"apps":{"web":{"image":"docker.io/library/redis:7.5-alpine","status":"running","healthy":true}},` +
			`"metrics":{"cpu_percent":12.5,"memory_percent":40.1,"uptime_seconds":3600}}`
		req, err := http.NewRequestWithContext(ctx, "PATCH", e.url+"/api/v1/devices/"+f.uuids[i]+"/state", strings.NewReader(body))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+f.keys[i])
		}
		return req, err
	})
	return []Row{
		{Scenario: "baseline: bare net/http answering 304", Stats: &baseline},
		{Scenario: "target-state poll answered 304", Stats: &notModified, Ratio: notModified.Throughput / baseline.Throughput,
			Target: "≥ 0.50x baseline"},
		{Scenario: "target-state poll answered 200", Stats: &full, Ratio: full.Throughput / baseline.Throughput},
		{Scenario: "device state report", Stats: &report},
	}, nil
}

// etag fetches device i's current ETag.
func (e *env) etag(ctx context.Context, f fleet, i int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/devices/"+f.uuids[i]+"/target-state", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+f.keys[i])
	resp, err := e.client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		return "", fmt.Errorf("poll %s: status %d, ETag %q", f.uuids[i], resp.StatusCode, resp.Header.Get("ETag"))
	}
	return resp.Header.Get("ETag"), nil
}
