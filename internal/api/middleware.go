package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// Routes whose requests feed metrics of their own besides the HTTP ones.
const (
	pollRoute    = "GET /api/v1/devices/{uuid}/target-state"
	reportRoute  = "PATCH /api/v1/devices/{uuid}/state"
	webhookRoute = "POST /api/v1/webhooks/{source}"
	metricsRoute = "GET /metrics"
)

// observe serves r with a request id, then logs and counts it. It logs the
// route pattern and the path, never the query (it may hold ?token=) or headers.
func (s *Server) observe(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	id := httpx.NewRequestID() // never the client's: nothing a client sends reaches the log as is
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(httpx.WithRequestID(r.Context(), id))
	rec := &httpx.Recorder{ResponseWriter: w}
	s.mux.ServeHTTP(rec, r) // sets r.Pattern
	d := time.Since(began)
	status := rec.StatusCode()
	method, route := httpx.RouteLabels(r)
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
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.Bytes))
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
