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
	"time"
)

// benchRSS starts `airlock serve` as a process of its own over the database
// the rollout scenarios filled, polls its largest fleet and runs its monitor,
// then reads the peak resident set size the kernel recorded for it.
func benchRSS(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if cfg.ServeBinary == "" || len(e.fleets) == 0 {
		return nil, nil
	}
	f := e.fleets[len(e.fleets)-1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, cfg.ServeBinary, "serve")
	cmd.Env = append(os.Environ(), "AIRLOCK_ADDR="+addr, "AIRLOCK_DATABASE_URL="+e.dbURL, "AIRLOCK_ADMIN_TOKEN="+adminToken,
		"AIRLOCK_WEBHOOK_SECRET="+webhookSecret, "AIRLOCK_MONITOR_INTERVAL=1s", "AIRLOCK_LOG_LEVEL=error")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := "http://" + addr
	if err := waitHealthy(ctx, e.client, url); err != nil {
		return nil, err
	}
	stats := load(ctx, e.client, cfg.Workers, cfg.Duration, 200, func(int) (*http.Request, error) {
		i := rand.IntN(len(f.uuids))
		req, err := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/devices/"+f.uuids[i]+"/target-state", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+f.keys[i])
		}
		return req, err
	})
	peak, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	return []Row{{Scenario: fmt.Sprintf("serve: peak RSS holding %d devices", e.devices), Stats: &stats,
		Value: fmt.Sprintf("%d MB", peak>>20), Target: "< 300 MB with 100,000"}}, nil
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
