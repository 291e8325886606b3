package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// benchMonitor ticks the monitor in-process over the last rollout, whose
// every device is updating: a tick with no report since the last, then,
// once a batch of devices has reported the new image running healthily
// (through the API, 8 clients), a tick that judges them. Each round's
// reporters are devices not yet judged.
func benchMonitor(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if err := e.svc.MonitorTick(ctx); err != nil { // the rollout's first tick starts its tracking
		return nil, fmt.Errorf("monitor tick: %w", err)
	}
	k := min(10_000, cfg.Devices/(cfg.Rounds+1))
	next := 0
	tick := func() (float64, error) {
		t0 := time.Now()
		if err := e.svc.MonitorTick(ctx); err != nil {
			return 0, fmt.Errorf("monitor tick: %w", err)
		}
		return since(t0), nil
	}
	reportedTick := func() (float64, error) {
		rate, err := e.reportEach(ctx, next, next+k, fleetImage(e.tag))
		if err != nil {
			return 0, err
		}
		e.logf("  %d devices reported the new image, %.0f reports/s", k, rate)
		next += k
		return tick()
	}
	m, err := alternate(e, "monitor ticks", cfg.Rounds, tick, reportedTick)
	if err != nil {
		return nil, err
	}
	n := cfg.Devices
	return []Row{
		row(fmt.Sprintf("monitor tick, %d devices updating, nothing new", n), unitMS, "< 50 ms SQLite / < 100 ms PG", m[0]),
		row(fmt.Sprintf("monitor tick, %d devices updating, %d new reports", n, k), unitMS, "< 1 s SQLite / < 1.5 s PG", m[1]),
	}, nil
}

// reportEach has the fleet's devices from..to-1 report image running
// healthily, 8 at a time, and returns the reports' rate a second.
func (e *env) reportEach(ctx context.Context, from, to int, image string) (float64, error) {
	var next atomic.Int64
	next.Store(int64(from))
	var mu sync.Mutex
	var failed error
	var wg sync.WaitGroup
	t0 := time.Now()
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < to; i = int(next.Add(1)) - 1 {
				if err := e.expect(e.patchState(ctx, &e.fleet, i, image), 204); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return 0, failed
	}
	return float64(to-from) / time.Since(t0).Seconds(), nil
}

// expect sends req and checks its status.
func (e *env) expect(req *http.Request, want int) error {
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return nil
}
