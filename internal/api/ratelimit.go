package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/config"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// SetRateLimits turns rate limiting on. Both limits are keyed by the
// authenticated identity, checked first: the webhook sender the secret
// names, the device whose key it is. So a caller without a valid
// credential neither spends a real one's budget nor grows the limiter.
// Loopback callers are exempt unless l.Loopback is set: on one machine they
// are tests, benchmarks or a proxy that must be limited by other means.
// Limits are per replica.
func (s *Server) SetRateLimits(l config.RateLimits) {
	s.limits = l
	s.webhookLimiter = httpx.NewLimiter(l.WebhookPerSecond)
	s.deviceLimiter = httpx.NewLimiter(l.DevicePerSecond)
}

// limit refuses a call of an authenticated identity over its rate with a
// 429 and Retry-After; loopback callers are exempt unless configured not to be.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, l *httpx.Limiter, identity string) error {
	if l == nil || (httpx.IsLoopback(r) && !s.limits.Loopback) {
		return nil
	}
	return l.Admit(w, identity)
}
