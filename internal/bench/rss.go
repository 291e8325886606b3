package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchRSS starts `airlock serve` as a process of its own over the
// database, a fresh one a round, pushes a new tag of the fleet's image to
// it, which rolls out over every device, polls the fleet while its monitor
// runs and until every target state names the tag, then reads the peak
// resident set size the kernel recorded for the process.
func benchRSS(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if cfg.ServeBinary == "" {
		return nil, nil
	}
	if err := e.fleetPolicy(ctx); err != nil {
		return nil, err
	}
	// serve plans its rollouts alone: a second planner, the bench's own,
	// would take every other chunk, as another replica would.
	e.stopPlanner()
	defer func() { e.stopPlanner = e.svc.StartPlanner(ctx) }()
	var dones []float64
	m, err := alternate(e, "serve's RSS", cfg.Rounds, func() (float64, error) {
		rss, done, err := e.serveRollout(ctx, cfg)
		dones = append(dones, done)
		return rss, err
	})
	if err != nil {
		return nil, err
	}
	return []Row{
		row(fmt.Sprintf("serve: peak RSS, rollout over %d devices (%d in all)", cfg.Devices, e.devices), unitMB, "< 500 MB", m[0]),
		row(fmt.Sprintf("serve: push to all %d target states written, the fleet polling every %s", cfg.Devices, fleetPollEvery),
			unitS, "< 15 s (200k, PG)", dones),
	}, nil
}

// serveRollout is one round of benchRSS; it returns the peak RSS in MB and
// the time from the push until every target state names the new tag.
func (e *env) serveRollout(ctx context.Context, cfg Config) (rss, done float64, err error) {
	cmd, url, err := e.startServe(ctx, cfg.ServeBinary)
	if err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { e.pollUntil(ctx, url, cfg.Workers, stop) })
	e.tag++
	_, done, err = e.rollout(ctx, url, e.tag, cfg.Devices)
	close(stop)
	wg.Wait()
	if err != nil {
		return 0, 0, err
	}
	e.logf("  serve rolled out over %d devices in %.1f s", cfg.Devices, done)
	peak, err := peakRSS(cmd.Process.Pid)
	return float64(peak) / (1 << 20), done, err
}

// startServe starts `airlock serve` over the bench's database on a free
// loopback port and waits until it answers.
func (e *env) startServe(ctx context.Context, binary string) (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, binary, "serve")
	cmd.Env = append(os.Environ(), "AIRLOCK_ADDR="+addr, "AIRLOCK_DATABASE_URL="+e.dbURL, "AIRLOCK_ADMIN_TOKEN="+adminToken,
		"AIRLOCK_WEBHOOK_SECRET="+webhookSecret, "AIRLOCK_MONITOR_INTERVAL=1s", "AIRLOCK_LOG_LEVEL=error")
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	url := "http://" + addr
	if err := waitHealthy(ctx, e.client, url); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", err
	}
	return cmd, url, nil
}

// pollUntil polls the fleet as it polls in service, until stop: each
// device once every fleetPollEvery, with its ETag (answered 304 until its
// target state changes; it then keeps the new one), spread over workers
// clients that each own a share of the devices.
func (e *env) pollUntil(ctx context.Context, url string, workers int, stop <-chan struct{}) {
	f := &e.fleet
	rate := max(100, float64(len(f.uuids))/fleetPollEvery.Seconds())
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			t := time.NewTicker(time.Duration(float64(workers) / rate * float64(time.Second)))
			defer t.Stop()
			for i := w; ; i += workers {
				if i >= len(f.uuids) {
					i = w
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
				resp, err := e.client.Do(e.devicePoll(ctx, url, f, i, f.etags[i]))
				if err != nil {
					continue
				}
				if resp.StatusCode == http.StatusOK {
					f.etags[i] = resp.Header.Get("ETag")
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
}

// fleetPollEvery is how often each device polls while serve's RSS is
// measured: every 5 minutes, the busy end of balena's and hawkBit's 5–15.
const fleetPollEvery = 5 * time.Minute

func waitHealthy(ctx context.Context, c *http.Client, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("airlock serve at %s did not answer", url)
}

// peakRSS reads VmHWM, the peak resident set size, of a Linux process.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS (Linux only): %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
