package registry

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// limitTransport is the innermost HTTP layer: every request to the
// registry (token exchanges included) first takes a token from the
// per-registry limiter, and a 429 is waited out when its Retry-After is
// within bounds, then retried; otherwise it becomes a rateLimitedError.
type limitTransport struct {
	next     http.RoundTripper
	limiter  *rate.Limiter // nil: no limit
	maxWait  time.Duration // longest Retry-After honoured
	retries  int           // 429s waited out per request
	wait     func(ctx context.Context, d time.Duration) error
	now      func() time.Time
	fallback time.Duration // wait for a 429 without Retry-After
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if err := t.take(req.Context()); err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		after, ok := parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
		if !ok {
			after = t.fallback
		}
		resp.Body.Close()
		// Requests with a body (uploads) are not replayed: Copy fails and
		// its caller retries it whole.
		if attempt >= t.retries || after > t.maxWait || (req.Body != nil && req.Body != http.NoBody) {
			return nil, &rateLimitedError{after: after}
		}
		if err := t.wait(req.Context(), after); err != nil {
			return nil, err
		}
	}
}

// take waits for the limiter, through the injected wait so tests see it.
func (t *limitTransport) take(ctx context.Context) error {
	if t.limiter == nil {
		return nil
	}
	r := t.limiter.Reserve()
	if d := r.Delay(); d > 0 {
		if err := t.wait(ctx, d); err != nil {
			r.Cancel()
			return err
		}
	}
	return nil
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<20)) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
