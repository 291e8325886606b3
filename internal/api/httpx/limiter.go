package httpx

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"

	"golang.org/x/time/rate"
)

// maxBuckets bounds a limiter's memory: identities are authenticated, so
// this is only reached by a fleet larger than it, whose excess is then
// forgotten oldest-first.
const maxBuckets = 200_000

// Limiter keeps a token bucket per identity and forgets idle ones.
type Limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	max     int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func NewLimiter(perSecond float64) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	return &Limiter{every: rate.Limit(perSecond), burst: max(1, int(2*perSecond)), max: maxBuckets, buckets: map[string]*bucket{}}
}

// Wait is how long key must wait for its next call; 0 admits it now.
func (l *Limiter) Wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		l.makeRoom(now)
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

// makeRoom forgets buckets idle for 10 minutes (a full bucket, so nothing
// is lost), at most once a minute, and the oldest one when still full.
func (l *Limiter) makeRoom(now time.Time) {
	if now.Sub(l.swept) > time.Minute || len(l.buckets) >= l.max {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	if len(l.buckets) < l.max {
		return
	}
	oldest, at := "", now
	for k, b := range l.buckets {
		if !b.seen.After(at) {
			oldest, at = k, b.seen
		}
	}
	delete(l.buckets, oldest)
}

// Size is the number of identities the limiter holds.
func (l *Limiter) Size() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Admit refuses a call of identity over its rate with a 429 and Retry-After.
func (l *Limiter) Admit(w http.ResponseWriter, identity string) error {
	wait := l.Wait(identity, time.Now())
	if wait == 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &airlock.Error{Code: airlock.ERATELIMIT, Message: "too many requests; retry after " + strconv.Itoa(secs) + "s",
		Extra: map[string]any{"retry_after": secs}}
}
