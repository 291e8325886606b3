package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// benchWebhooks measures the gate: an approved image with a known tag (no
// policy, so no rollout) from one client and from many, and an unknown
// image (403, bumping its request).
func benchWebhooks(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	if err := e.admin(ctx, "POST", "/api/v1/images", `{"image_name":"redis"}`, 201); err != nil {
		return nil, err
	}
	if err := e.admin(ctx, "POST", "/api/v1/images/1/tags", `{"tag":"7.5-alpine"}`, 201); err != nil {
		return nil, err
	}
	hook := e.url + "/api/v1/webhooks/docker-registry?token=" + webhookSecret
	send := func(repo string) func() *http.Request {
		body := fmt.Sprintf(`{"repository":{"repo_name":%q},"push_data":{"tag":"7.5-alpine"}}`, repo)
		return func() *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "POST", hook, strings.NewReader(body))
			return req
		}
	}
	single := func() (float64, error) {
		s := load(ctx, e.client, 1, cfg.Duration, 200, func(int) (*http.Request, error) { return send("redis")(), nil })
		if s.Errors > 0 {
			return 0, fmt.Errorf("%d of %d pushes not answered 200", s.Errors, s.Requests)
		}
		return ms(s.P50), nil
	}
	approved := func() (float64, error) { return e.rate(ctx, cfg.Workers, cfg.Duration, 200, send("redis")) }
	unknown := func() (float64, error) {
		return e.rate(ctx, cfg.Workers, cfg.Duration, 403, send("portainer/portainer-ce"))
	}
	m, err := alternate(e, "webhooks", cfg.Rounds, single, approved, unknown)
	if err != nil {
		return nil, err
	}
	return []Row{
		row("webhook, approved, known tag, 1 client: p50", unitMS, "≤ 1.5 ms", m[0]),
		row(fmt.Sprintf("webhook, approved, known tag, %d clients", cfg.Workers), unitRate, "≥ 2,000 req/s", m[1]),
		row(fmt.Sprintf("webhook, unknown image (403), %d clients", cfg.Workers), unitRate, "", m[2]),
	}, nil
}
