package registry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// basicAuth refuses every request without the right credentials, with
// the challenge Distribution sends when configured for htpasswd.
func basicAuth(user, pass string) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, req)
		})
	}
}

func TestBasicAuthCredentials(t *testing.T) {
	const password = "s3cret-pull-password"
	reg := newRegistry(t, false, basicAuth("puller", password))
	reg.auth = &authn.Basic{Username: "puller", Password: password}
	want := reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))

	d, err := reg.client(t, Config{Username: "puller", Password: password}).Resolve(context.Background(), "acme/agent", "1.0")
	if err != nil || d.Digest != want.String() {
		t.Fatalf("Resolve with credentials = %v, %v", d, err)
	}
	for _, cfg := range []Config{{}, {Username: "puller", Password: "wrong-" + password}} {
		_, err := reg.client(t, cfg).Resolve(context.Background(), "acme/agent", "1.0")
		if !errors.Is(err, ErrUnauthorized) || Temporary(err) {
			t.Fatalf("Resolve as %q = %v, want ErrUnauthorized", cfg.Username, err)
		}
		if strings.Contains(err.Error(), password) {
			t.Fatalf("error text carries the password: %v", err)
		}
	}
}

func TestConfigLogsNoPassword(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("registry", "config",
		Config{Host: "ghcr.io", Username: "bot", Password: "hunter2-token"})
	if strings.Contains(buf.String(), "hunter2") || !strings.Contains(buf.String(), "credentials=true") {
		t.Fatalf("log line = %s", buf.String())
	}
}

func TestRateLimitWaitsBetweenRequests(t *testing.T) {
	reg := newRegistry(t, false)
	reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	rec := &recorder{}
	c := reg.client(t, Config{RequestsPerSecond: 1.0 / 3600, Burst: 1, Wait: rec.wait})
	if _, err := c.Resolve(context.Background(), "acme/agent", "1.0"); err != nil {
		t.Fatal(err)
	}
	// The first request (the ping) takes the burst; each later one waits
	// an hour more for its token.
	waits := rec.all()
	if len(waits) == 0 {
		t.Fatal("no request waited for the limiter")
	}
	for i, w := range waits {
		if w < time.Duration(i+1)*time.Hour-time.Minute {
			t.Fatalf("waits = %v, want an hour more for each request after the first", waits)
		}
	}
}

// tooMany answers the first n manifest HEADs after served is set to 0
// with 429 and Retry-After (it starts disarmed, so the test can push).
func tooMany(n int, retryAfter string) (middleware, *atomic.Int32) {
	var served atomic.Int32
	served.Store(-1 << 30)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if endpoint(req.URL.Path) == "manifests" && req.Method == http.MethodHead && limited(served.Add(1), n) {
				w.Header().Set("Retry-After", retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, req)
		})
	}, &served
}

func limited(served int32, n int) bool { return served > 0 && served <= int32(n) }

func TestRetryAfterHonoured(t *testing.T) {
	mw, served := tooMany(2, "3")
	reg := newRegistry(t, false, mw)
	want := reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	served.Store(0)
	rec := &recorder{}
	d, err := reg.client(t, Config{Wait: rec.wait}).Resolve(context.Background(), "acme/agent", "1.0")
	if err != nil || d.Digest != want.String() {
		t.Fatalf("Resolve = %v, %v", d, err)
	}
	if waits := rec.all(); len(waits) != 2 || waits[0] != 3*time.Second || waits[1] != 3*time.Second {
		t.Fatalf("waits = %v, want 3s twice", waits)
	}
}

func TestRetryAfterTooLongIsAnError(t *testing.T) {
	mw, served := tooMany(100, "120")
	reg := newRegistry(t, false, mw)
	reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	served.Store(0)
	rec := &recorder{}
	_, err := reg.client(t, Config{Wait: rec.wait, MaxRetryAfter: 10 * time.Second}).Resolve(context.Background(), "acme/agent", "1.0")
	if !errors.Is(err, ErrRateLimited) || !Temporary(err) || RetryAfter(err) != 2*time.Minute {
		t.Fatalf("Resolve = %v (retry after %s), want ErrRateLimited after 2m", err, RetryAfter(err))
	}
	if airlock.ErrorCode(err) != airlock.EUNAVAILABLE {
		t.Errorf("code = %s", airlock.ErrorCode(err))
	}
	if len(rec.all()) != 0 || served.Load() != 1 {
		t.Fatalf("waited %v over %d requests; a 2m Retry-After must not be waited out", rec.all(), served.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]time.Duration{
		"0": 0, "7": 7 * time.Second, " 30 ": 30 * time.Second,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	}
	for in, want := range cases {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %s %v, want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "soon", "1.5"} {
		if got, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) = %s, want refused", in, got)
		}
	}
}

// countingTransport counts the HTTP round trips a client attempts.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

func TestRegistryDownIsUnavailableWithoutRetries(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close() // the port now refuses connections
	rt := &countingTransport{next: http.DefaultTransport}
	c, err := New(Config{Host: host, Insecure: true, Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Resolve(context.Background(), "acme/agent", "1.0")
	if !errors.Is(err, ErrUnavailable) || !Temporary(err) || airlock.ErrorCode(err) != airlock.EUNAVAILABLE {
		t.Fatalf("Resolve = %v, want ErrUnavailable", err)
	}
	// The ping tries HTTPS then HTTP; nothing is retried with backoff.
	if n := rt.n.Load(); n > 2 {
		t.Fatalf("%d attempts against a closed port, want at most 2", n)
	}
}

func TestSlowRegistryTimesOut(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	reg := newRegistry(t, false, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if endpoint(req.URL.Path) == "manifests" {
				select {
				case <-req.Context().Done():
				case <-release:
				}
				return
			}
			next.ServeHTTP(w, req)
		})
	})
	_, err := reg.client(t, Config{Timeout: 50 * time.Millisecond}).Resolve(context.Background(), "acme/agent", "1.0")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Resolve = %v, want ErrUnavailable (timeout)", err)
	}
}

func TestPool(t *testing.T) {
	reg := newRegistry(t, false)
	p := NewPool(Config{Timeout: time.Second})
	if err := p.Declare(Config{Host: strings.ToUpper(reg.Host), Insecure: true}); err != nil {
		t.Fatal(err)
	}
	c, declared, err := p.Client(reg.Host)
	if err != nil || !declared || c.Host() != reg.Host {
		t.Fatalf("Client(%s) = %v %v %v", reg.Host, c, declared, err)
	}
	hub, declared, err := p.Client("index.docker.io")
	if err != nil || declared {
		t.Fatalf("Client(index.docker.io) = %v %v", declared, err)
	}
	if again, _, _ := p.Client("docker.io"); again != hub {
		t.Error("docker.io and index.docker.io got different clients")
	}
	p.Forget(reg.Host)
	if _, declared, _ := p.Client(reg.Host); declared {
		t.Error("a forgotten registry is still declared")
	}
	if err := p.Declare(Config{Host: "bad host"}); err == nil {
		t.Error("declared an invalid host")
	}
}
