package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/agent"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// startFleet runs n simulated devices (internal/agent) against url until
// the test ends, each starting on redis:7.4-alpine; they fail to run the
// given tags.
func startFleet(t *testing.T, url string, n int, failTags ...string) *agent.Fleet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f, err := agent.Start(ctx, agent.Config{Server: url, Token: apitest.AdminToken, Devices: n,
		Image: "redis:7.4-alpine", FailTags: failTags, Interval: pollEvery})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		f.Wait()
	})
	return f
}

// switchboard is a reverse proxy whose backend can change, so that a fleet
// keeps one server URL across a restart, as behind a load balancer.
type switchboard struct {
	mu      sync.Mutex
	backend *url.URL
	URL     string
}

func newSwitchboard(t *testing.T, backend string) *switchboard {
	sb := &switchboard{}
	sb.route(backend)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			sb.mu.Lock()
			r.SetURL(sb.backend)
			sb.mu.Unlock()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) },
	}
	hs := httptest.NewServer(proxy)
	t.Cleanup(hs.Close)
	sb.URL = hs.URL
	return sb
}

func (sb *switchboard) route(backend string) {
	u, _ := url.Parse(backend)
	sb.mu.Lock()
	sb.backend = u
	sb.mu.Unlock()
}

// clock is a settable clock for a store, so that batch delays and health
// timeouts pass when a test says.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// leadCount counts the monitor ticks a replica led.
type leadCount struct {
	mu sync.Mutex
	n  int
}

func (c *leadCount) record(_ time.Duration, leader bool) {
	if leader {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

func (c *leadCount) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
