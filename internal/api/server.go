// Package api is Airlock's HTTP interface: the route table, authentication,
// request decoding and the mapping of coded errors to statuses. It knows HTTP
// and nothing else; use cases live in internal/service.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/metrics"
	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// Auth says who may call a route.
type Auth int

const (
	Public   Auth = iota // anyone
	Viewer               // an API token of any role
	Approver             // approver or admin
	Admin                // admin only
	Device               // the device's own key
	Webhook              // the webhook secret
	Scanner              // a scanner token, or approver or admin: scan reports
	CI                   // a ci token, or approver or admin: check results
)

func (a Auth) String() string {
	return [...]string{"public", "viewer", "approver", "admin", "device", "webhook", "scanner", "ci"}[a]
}

// Route is one entry of the route table. Tests walk the table, so a route
// cannot exist without saying who may call it.
type Route struct {
	Method  string
	Path    string
	Auth    Auth
	handler handlerFunc
}

// handlerFunc returns its error instead of writing it, so that errors are
// rendered in exactly one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Server serves the API.
type Server struct {
	svc    *service.Service
	log    *slog.Logger
	routes []Route
	mux    *http.ServeMux

	touchMu sync.Mutex
	touched map[int64]time.Time // token id → last recorded use

	limits         config.RateLimits
	webhookLimiter *httpx.Limiter
	deviceLimiter  *httpx.Limiter

	metrics      *metrics.Set       // see ops.go
	metricsToken string             // opens /metrics besides API tokens; "" for none
	hub          *events.Hub        // behind the event stream
	streams      *httpx.StreamCount // open event streams, capped
	heartbeat    time.Duration      // between comments on a quiet event stream

	evidence func(ctx context.Context, digest string) // see SetEvidenceHook
}

// New builds the server's routes over the use cases of svc, streaming
// events from hub and counting into m.
func New(svc *service.Service, hub *events.Hub, m *metrics.Set, log *slog.Logger) *Server {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux(), touched: map[int64]time.Time{}}
	s.initOps(hub, m)
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.guard(rt))
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "Not found", "message": "no route for " + r.Method + " " + r.URL.Path})
	})
	return s
}

// Routes returns the route table.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP implements http.Handler: each request gets an id, a log line and its metrics (middleware.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.observe(w, r)
}

// run calls h and renders its error, if any, as JSON.
func (s *Server) run(h handlerFunc, w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		status, body := httpx.ErrorBody(err)
		if status >= 500 {
			s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		httpx.WriteJSON(w, status, body)
	}
}
