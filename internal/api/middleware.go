package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/webhook"
)

// Routes whose requests feed metrics of their own besides the HTTP ones.
const (
	pollRoute    = "GET /api/v1/devices/{uuid}/target-state"
	reportRoute  = "PATCH /api/v1/devices/{uuid}/state"
	webhookRoute = "POST /api/v1/webhooks/{source}"
	metricsRoute = "GET /metrics"
)

type requestIDKey struct{}

// observe serves r with a request id, then logs and counts it. It logs the
// route pattern and the path, never the query (it may hold ?token=) or headers.
func (s *Server) observe(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	id := newRequestID() // never the client's: nothing a client sends reaches the log as is
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	rec := &recorder{ResponseWriter: w}
	s.mux.ServeHTTP(rec, r) // sets r.Pattern
	d := time.Since(began)
	status := rec.statusCode()
	method, route := routeLabels(r)
	s.metrics.ObserveHTTP(method, route, status, d)
	switch r.Pattern {
	case pollRoute:
		s.metrics.ObservePoll(status)
	case reportRoute:
		s.metrics.ObserveReport(status)
	case webhookRoute:
		s.metrics.ObserveWebhook(webhookSource(r.PathValue("source")), webhookOutcome(status), d)
	}
	s.log.LogAttrs(r.Context(), logLevel(r.Pattern, status), "request", slog.String("method", method), slog.String("route", route),
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes))
}

// logLevel keeps probes, scrapes and the fleet's routine polls and reports
// (thousands a second for a large fleet) out of the info log, and makes
// server errors stand out.
func logLevel(pattern string, status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelWarn
	case pattern == "GET /healthz" || pattern == "GET /readyz" || pattern == "GET /metrics":
		return slog.LevelDebug
	case (pattern == pollRoute || pattern == reportRoute) && status < 400:
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// routeLabels are the method and route pattern of r, bounded: a method
// nobody serves is OTHER and a path no route matched is "unmatched".
func routeLabels(r *http.Request) (method, route string) {
	method = r.Method
	if !knownMethods[method] {
		method = "OTHER"
	}
	route = r.Pattern
	if _, path, ok := strings.Cut(route, " "); ok {
		route = path
	}
	if route == "" {
		route = "unmatched"
	}
	return method, route
}

func webhookSource(s string) string {
	for _, known := range webhook.Sources {
		if s == known {
			return s
		}
	}
	if s == "docker-registry" {
		return s
	}
	return "unknown"
}

// webhookOutcome names what the answer to a delivery said.
func webhookOutcome(status int) string {
	switch {
	case status == http.StatusOK:
		return "accepted"
	case status == http.StatusForbidden:
		return "refused"
	case status == http.StatusUnauthorized:
		return "unauthorized"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status == http.StatusNotFound:
		return "unknown_source"
	case status >= 500:
		return "error"
	}
	return "invalid"
}

// recorder notes the status and size of an answer. Unwrap lets
// http.ResponseController reach the connection (flushes, deadlines).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() { r.FlushError() }

// FlushError lets http.ResponseController report a failed flush (a client gone).
func (r *recorder) FlushError() error {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// requestIDHandler adds the request id to every line logged with a request's context.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
