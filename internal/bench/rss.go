package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	m, err := alternate(e, "serve's RSS", cfg.Rounds, func() (float64, error) { return e.serveRollout(ctx, cfg) })
	if err != nil {
		return nil, err
	}
	return []Row{row(fmt.Sprintf("serve: peak RSS, rollout over %d devices (%d in all)", cfg.Devices, e.devices), unitMB,
		"< 500 MB", m[0])}, nil
}

// serveRollout is one round of benchRSS; it returns the peak RSS in MB.
func (e *env) serveRollout(ctx context.Context, cfg Config) (float64, error) {
	cmd, url, err := e.startServe(ctx, cfg.ServeBinary)
	if err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { e.pollUntil(ctx, url, cfg.Workers, stop) })
	e.tag++
	_, done, err := e.rollout(ctx, url, e.tag, cfg.Devices)
	close(stop)
	wg.Wait()
	if err != nil {
		return 0, err
	}
	e.logf("  serve rolled out over %d devices in %.1f s", cfg.Devices, done)
	peak, err := peakRSS(cmd.Process.Pid)
	return float64(peak) / (1 << 20), err
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

// pollUntil polls random devices of the fleet from workers clients until
// stop; the answers are not checked, target states changing under them.
func (e *env) pollUntil(ctx context.Context, url string, workers int, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := e.client.Do(e.devicePoll(ctx, url, &e.fleet, rand.IntN(len(e.fleet.uuids)), ""))
				if err == nil {
					resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
}

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
