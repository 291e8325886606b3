// Package apitest starts a real Airlock server on 127.0.0.1:0 over a fresh
// database and talks HTTP to it, for end-to-end tests.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// AdminToken is the bootstrap admin token of every test server.
const AdminToken = "alk_test-admin-token"

// WebhookSecret is the webhook secret of every test server.
const WebhookSecret = "whs_test-webhook-secret"

// Server is a running test server.
type Server struct {
	URL   string
	DB    *store.DB
	Svc   *service.Service
	API   *api.Server
	Logs  *Logs
	t     testing.TB
	admin string

	http           *httptest.Server
	app            *app.App
	abandonMonitor func()
	closeOnce      sync.Once
}

// Option changes how Start sets a server up.
type Option func(*options)

type options struct {
	monitor time.Duration
	tweak   []func(*service.Service)
}

// WithMonitor runs the rollout monitor every interval, as serve does.
func WithMonitor(interval time.Duration) Option {
	return func(o *options) { o.monitor = interval }
}

// WithService lets a test adjust the service before the server starts
// (a clock, a monitor lease, hooks).
func WithService(fn func(*service.Service)) Option {
	return func(o *options) { o.tweak = append(o.tweak, fn) }
}

// Start runs a server over the database at dbURL until the test ends.
func Start(t testing.TB, dbURL string, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	db := storetest.Open(t, dbURL)
	logs := &Logs{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := config.Default()
	cfg.AdminToken, cfg.WebhookSecret, cfg.MonitorInterval = AdminToken, WebhookSecret, o.monitor
	cfg.RateLimits = config.RateLimits{} // tests that want limits set their own
	cfg.ResolveUndeclared = false        // tests never reach outside hosts
	tweak := func(svc *service.Service) {
		for _, fn := range o.tweak {
			fn(svc)
		}
	}
	a, err := app.New(context.Background(), cfg, log, app.Options{DB: db, Service: tweak})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.API)
	s := &Server{URL: hs.URL, DB: db, Svc: a.Service, API: a.API, Logs: logs, t: t, admin: AdminToken, http: hs, app: a}
	if o.monitor > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		a.StartMonitor(ctx)
		s.abandonMonitor = cancel
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server as serve does on shutdown: the monitor finishes
// its tick and gives its lease up, then the HTTP server closes.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.app.Close()
		s.http.Close()
	})
}

// Kill stops the server as a crash would: the monitor is abandoned
// wherever it is, its lease left to expire, and the database closed under
// any transaction still open.
func (s *Server) Kill() {
	s.closeOnce.Do(func() {
		if s.abandonMonitor != nil {
			s.abandonMonitor()
		}
		s.http.CloseClientConnections()
		s.http.Close()
		s.DB.Close()
	})
}

// Each starts a server per engine and runs fn against it as a subtest.
func Each(t *testing.T, fn func(t *testing.T, s *Server)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, dbURL string) { fn(t, Start(t, dbURL)) })
}

// Response is an answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request with the given bearer token ("" for none). body may be
// nil, a string or []byte (sent as is), or any value (sent as JSON).
func (s *Server) Do(method, path, token string, body any, header ...string) Response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bodyReader(s.t, body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Admin sends a request as the bootstrap admin.
func (s *Server) Admin(method, path string, body any) Response {
	s.t.Helper()
	return s.Do(method, path, s.admin, body)
}

// Must sends a request as admin and fails the test unless the status is want.
func (s *Server) Must(want int, method, path string, body any) Response {
	s.t.Helper()
	r := s.Admin(method, path, body)
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// Token creates a token with role and returns its secret.
func (s *Server) Token(role string) string {
	s.t.Helper()
	var tok struct{ Token string }
	s.Must(http.StatusCreated, "POST", "/api/v1/tokens", map[string]string{"name": role + "-test", "role": role}).JSON(s.t, &tok)
	return tok.Token
}

func bodyReader(t testing.TB, body any) io.Reader {
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	case []byte:
		return bytes.NewReader(b)
	}
	buf, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf)
}

// Logs collects everything the server logged.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns the log so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
