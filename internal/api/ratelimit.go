package api

import (
	"crypto/sha256"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"golang.org/x/time/rate"
)

// RateLimits bounds how often one webhook sender (by address) and one device
// (by key) may call. A zero rate is no limit. Loopback callers are exempt
// unless Loopback is set: on one machine they are tests, benchmarks or a
// proxy that must be limited by other means.
type RateLimits struct {
	WebhookPerSecond float64
	DevicePerSecond  float64
	Loopback         bool
}

// SetRateLimits turns rate limiting on.
func (s *Server) SetRateLimits(l RateLimits) {
	s.limits = l
	s.webhookLimiter = newLimiter(l.WebhookPerSecond)
	s.deviceLimiter = newLimiter(l.DevicePerSecond)
}

// limited refuses a request over its caller's rate with a 429 and Retry-After.
func (s *Server) limited(w http.ResponseWriter, r *http.Request, a Auth) error {
	l, key := s.limiterFor(r, a)
	if l == nil {
		return nil
	}
	wait := l.wait(key, time.Now())
	if wait == 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &airlock.Error{Code: airlock.ERATELIMIT, Message: "too many requests; retry after " + strconv.Itoa(secs) + "s",
		Extra: map[string]any{"retry_after": secs}}
}

func (s *Server) limiterFor(r *http.Request, a Auth) (*limiter, string) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && !s.limits.Loopback {
		return nil, ""
	}
	switch a {
	case Webhook:
		return s.webhookLimiter, host
	case Device:
		sum := sha256.Sum256([]byte(bearer(r)))
		return s.deviceLimiter, string(sum[:])
	}
	return nil, ""
}

// limiter keeps a token bucket per key and forgets idle ones, so that a
// flood of new keys cannot grow it without bound.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		return nil
	}
	return &limiter{every: rate.Limit(perSecond), burst: max(1, int(2*perSecond)), buckets: map[string]*bucket{}}
}

// wait is how long key must wait for its next call; 0 admits it now.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}
