package api

import (
	"log/slog"
	"net/http"

	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/api/openapi"
	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/metrics"
)

// initOps sets up what operators watch the server by: request ids in the
// log, metrics, and the event hub behind the SSE stream.
func (s *Server) initOps(hub *events.Hub, m *metrics.Set) {
	s.log = slog.New(httpx.RequestIDHandler{Handler: s.log.Handler()})
	s.metrics, s.hub = m, hub
	s.streams = httpx.NewStreamCount()
	s.heartbeat = heartbeat
	s.metrics.Gauge("airlock_event_stream_clients", "Clients connected to the event stream.",
		func() float64 { return float64(s.hub.Clients()) })
}

// Close ends the event streams, so that a graceful shutdown need not wait
// for clients that never hang up. Serving may go on; new streams are refused.
func (s *Server) Close() {
	s.hub.Close()
}

// SetMetricsToken lets a scraper read /metrics with token rather than an API token.
func (s *Server) SetMetricsToken(token string) { s.metricsToken = token }

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapi.JSON())
	return nil
}
