package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// benchRollouts measures, per fleet size, an immediate rollout from the push
// to every target state written (the webhook answers after its transaction
// commits), then one monitor tick judging every device of it.
func benchRollouts(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	var rows []Row
	for _, n := range cfg.Fleet {
		repo := fmt.Sprintf("bench/app%d", n)
		f, err := e.seed(ctx, fmt.Sprintf("r%d", n), n, "docker.io/"+repo+":1")
		if err != nil {
			return nil, err
		}
		e.fleets = append(e.fleets, f)
		if err := e.admin(ctx, "POST", "/api/v1/images", fmt.Sprintf(`{"image_name":%q}`, repo), 201); err != nil {
			return nil, err
		}
		policy := fmt.Sprintf(`{"image_pattern":"%s:*","update_strategy":"immediate","health_check_timeout_seconds":3600}`, repo)
		if err := e.admin(ctx, "POST", "/api/v1/policies", policy, 201); err != nil {
			return nil, err
		}
		elapsed, err := e.pushRollout(ctx, repo+":2", n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, Row{Scenario: fmt.Sprintf("immediate rollout over %d devices", n), Elapsed: elapsed,
			Target: "< 5s for 100,000 on SQLite"})
		if err := e.reportAll(ctx, f, "docker.io/"+repo+":2"); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := e.svc.MonitorTick(ctx); err != nil {
			return nil, fmt.Errorf("monitor tick: %w", err)
		}
		rows = append(rows, Row{Scenario: fmt.Sprintf("monitor tick judging %d devices", n), Elapsed: time.Since(t0),
			Target: "< 1s for 100,000"})
	}
	return rows, nil
}

// pushRollout pushes image through the webhook and checks that it made a
// rollout over n devices.
func (e *env) pushRollout(ctx context.Context, image string, n int) (time.Duration, error) {
	body := fmt.Sprintf(`{"image": "docker.io/%s"}`, image)
	req, err := http.NewRequestWithContext(ctx, "POST", e.url+"/api/v1/webhooks/generic?token="+webhookSecret, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	elapsed := time.Since(t0)
	b, _ := io.ReadAll(resp.Body)
	var answer struct {
		Rollout *struct {
			TotalDevices int `json:"total_devices"`
		}
		Reason string
	}
	json.Unmarshal(b, &answer)
	if resp.StatusCode != 200 || answer.Rollout == nil || answer.Rollout.TotalDevices != n {
		return 0, fmt.Errorf("push %s: status %d, want a rollout over %d devices: %.300s", image, resp.StatusCode, n, b)
	}
	return elapsed, nil
}
