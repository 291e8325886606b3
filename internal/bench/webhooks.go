package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

type scenario struct {
	name string
	run  func(ctx context.Context, e *env, cfg Config) ([]Row, error)
}

var scenarios = []scenario{
	{"webhooks", benchWebhooks},
	{"devices", benchDevices},
	{"rollouts", benchRollouts},
	{"peak RSS", benchRSS},
}

// benchWebhooks measures the gate: an approved image with a known tag (no
// policy, so no rollout) and an unknown image (403, bumping its request).
func benchWebhooks(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if err := e.admin(ctx, "POST", "/api/v1/images", `{"image_name":"redis"}`, 201); err != nil {
		return nil, err
	}
	if err := e.admin(ctx, "POST", "/api/v1/images/1/tags", `{"tag":"7.5-alpine"}`, 201); err != nil {
		return nil, err
	}
	hook := e.url + "/api/v1/webhooks/docker-registry?token=" + webhookSecret
	send := func(repo string) request {
		body := fmt.Sprintf(`{"repository":{"repo_name":%q},"push_data":{"tag":"7.5-alpine"}}`, repo)
		return func(int) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, "POST", hook, strings.NewReader(body))
		}
	}
	single := load(ctx, e.client, 1, cfg.Duration, 200, send("redis"))
	approved := load(ctx, e.client, cfg.Workers, cfg.Duration, 200, send("redis"))
	unknown := load(ctx, e.client, cfg.Workers, cfg.Duration, 403, send("portainer/portainer-ce"))
	return []Row{
		{Scenario: "webhook, approved, known tag, 1 client", Stats: &single, Target: "p50 ≤ 1.5ms"},
		{Scenario: fmt.Sprintf("webhook, approved, known tag, %d clients", cfg.Workers), Stats: &approved, Target: "≥ 2000 req/s on SQLite"},
		{Scenario: fmt.Sprintf("webhook, unknown image (403), %d clients", cfg.Workers), Stats: &unknown},
	}, nil
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
		return fmt.Errorf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
	}
	return nil
}
