package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// rolloutDeadline bounds the wait for a rollout's target states.
const rolloutDeadline = 15 * time.Minute

// benchRollouts pushes a new tag of the fleet's image, whose policy matches
// every device and rolls out at once, a round a tag. It times the webhook's
// answer, and the time from the push until every device's target state
// names the new tag, which it learns by counting target rows in the
// database: planning may finish after the answer.
func benchRollouts(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if err := e.fleetPolicy(ctx); err != nil {
		return nil, err
	}
	var answers []float64
	m, err := alternate(e, "rollouts", cfg.Rounds, func() (float64, error) {
		e.tag++
		answer, done, err := e.rollout(ctx, e.url, e.tag, cfg.Devices)
		answers = append(answers, answer)
		return done, err
	})
	if err != nil {
		return nil, err
	}
	n := cfg.Devices
	return []Row{
		row(fmt.Sprintf("webhook answer, a policy matching all %d devices", n), unitMS, "< 50 ms", answers),
		row(fmt.Sprintf("immediate rollout over %d devices, push to all target states written", n), unitS,
			"< 20 s SQLite / < 30 s PG", m[0]),
	}, nil
}

// fleetPolicy makes, once, the policy that rolls every push of the fleet's
// image out to the whole fleet at once.
func (e *env) fleetPolicy(ctx context.Context) error {
	if e.policy {
		return nil
	}
	policy := fmt.Sprintf(`{"image_pattern":"%s:*","update_strategy":"immediate","health_check_timeout_seconds":3600}`, fleetRepo)
	if err := e.admin(ctx, "POST", "/api/v1/policies", policy, 201); err != nil {
		return err
	}
	e.policy = true
	return nil
}

// rollout pushes tag through base's webhook and returns the answer's time
// in ms and the time, in s, until all n target states name it.
func (e *env) rollout(ctx context.Context, base string, tag, n int) (answer, done float64, err error) {
	image := fleetImage(tag)
	t0 := time.Now()
	if err := e.push(ctx, base, image); err != nil {
		return 0, 0, err
	}
	answer = since(t0)
	if err := e.waitTargets(ctx, image, n); err != nil {
		return answer, 0, err
	}
	return answer, time.Since(t0).Seconds(), nil
}

// push sends image through base's generic webhook; the answer must be a
// success (200, or 202 if planning goes on after it). An answer lost on the
// way (a server's write deadline cutting a long planning) is logged, not
// fatal: the targets tell whether the push was taken.
func (e *env) push(ctx context.Context, base, image string) error {
	body := fmt.Sprintf(`{"image": %q}`, image)
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/webhooks/generic?token="+webhookSecret, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := e.slow.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		e.logf("  push %s: no answer (%v); waiting for the target states all the same", image, err)
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 && resp.StatusCode != 202 {
		return fmt.Errorf("push %s: status %d: %.300s", image, resp.StatusCode, b)
	}
	return nil
}

// waitTargets waits until the n target rows name image. Counting them
// reads the whole table, which would take the planner's share of a small
// machine, so it first waits, cheaply, for no rollout to be planning (a
// planned immediate rollout has written every target state), then counts,
// each count waiting as long as the last took (at least 100 ms).
func (e *env) waitTargets(ctx context.Context, image string, n int) error {
	deadline := time.Now().Add(rolloutDeadline)
	for {
		var planning int
		if err := e.db.QueryInt(ctx, &planning, `SELECT COUNT(*) FROM image_update_rollouts WHERE status = 'planning'`); err != nil {
			return fmt.Errorf("rollouts planning: %w", err)
		}
		if planning == 0 {
			break
		}
		if err := pause(ctx, deadline, 20*time.Millisecond); err != nil {
			return fmt.Errorf("a rollout still planning: %w", err)
		}
	}
	for {
		t0 := time.Now()
		var got int
		if err := e.db.QueryInt(ctx, &got, `SELECT COUNT(*) FROM device_target_apps WHERE image = $1`, image); err != nil {
			return fmt.Errorf("count targets of %s: %w", image, err)
		}
		if got >= n {
			return nil
		}
		if err := pause(ctx, deadline, max(100*time.Millisecond, time.Since(t0))); err != nil {
			return fmt.Errorf("%d of %d target states name %s: %w", got, n, image, err)
		}
	}
}

// pause waits d, unless ctx ends or the deadline has passed.
func pause(ctx context.Context, deadline time.Time, d time.Duration) error {
	if time.Now().After(deadline) {
		return fmt.Errorf("after %s", rolloutDeadline)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
