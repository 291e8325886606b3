package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// churnRepo is the repository of the devices whose target states change.
const churnRepo = "bench/churn"

// churnPolled is how many of the fleet's devices the churn scenario polls.
const churnPolled = 100_000

// benchChurn measures 304 polls of random devices among the fleet's first
// 100,000 while 10 other devices' target states change a second, as a
// rollout does, against the same polls with none changing, alternating.
func benchChurn(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	writers, _, err := e.importFleet(ctx, "churn", 100, "docker.io/"+churnRepo+":1")
	if err != nil {
		return nil, err
	}
	f, n := &e.fleet, min(churnPolled, cfg.Devices)
	poll := func() (float64, error) {
		return e.rate(ctx, cfg.Workers, cfg.Duration, 304, func() *http.Request {
			i := rand.IntN(n)
			return e.devicePoll(ctx, e.url, f, i, f.etags[i])
		})
	}
	version := 1
	changing := func() (float64, error) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var werr error
		wg.Go(func() { werr = e.writeTargets(ctx, &writers, &version, stop) })
		v, err := poll()
		close(stop)
		wg.Wait()
		if err == nil {
			err = werr
		}
		return v, err
	}
	m, err := alternate(e, "polls, quiet and changing", cfg.Rounds, poll, changing)
	if err != nil {
		return nil, err
	}
	return []Row{
		row(fmt.Sprintf("304 poll of %d devices, none changing", n), unitRate, "", m[0]),
		row(fmt.Sprintf("304 poll of %d devices, 10 target states changing a second", n), unitRate, "", m[1]),
		row("changing ÷ none changing", unitRatio, "≥ 0.9×", ratios(m[1], m[0])),
	}, nil
}

// writeTargets changes one of f's devices' target state every 100 ms
// through the API, until stop.
func (e *env) writeTargets(ctx context.Context, f *fleet, version *int, stop <-chan struct{}) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		*version++
		uuid := f.uuids[*version%len(f.uuids)]
		body := fmt.Sprintf(`{"apps":{"web":{"image":"docker.io/%s:%d"}}}`, churnRepo, *version)
		if err := e.admin(ctx, "PUT", "/api/v1/devices/"+uuid+"/target-state", body, 200); err != nil {
			return err
		}
	}
}

// admin sends one admin API call and checks its status.
func (e *env) admin(ctx context.Context, method, path, body string, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b := make([]byte, 300)
		k, _ := resp.Body.Read(b)
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b[:k])
	}
	return nil
}
