package api

import (
	"log/slog"

	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/metrics"
	"github.com/airlock-iot/airlock/internal/service"
)

// initOps sets up what operators watch the server by: request ids in the
// log, metrics, and the event hub behind the SSE stream. The rollout
// monitor reports its ticks here unless the service reports them elsewhere.
func (s *Server) initOps(svc *service.Service) {
	s.log = slog.New(requestIDHandler{s.log.Handler()})
	s.metrics = metrics.New(s.db, s.log)
	s.hub = events.NewHub(s.db, s.log)
	s.streams = newStreamCount()
	s.heartbeat = heartbeat
	s.metrics.Gauge("airlock_event_stream_clients", "Clients connected to the event stream.",
		func() float64 { return float64(s.hub.Clients()) })
	if svc.OnMonitorTick == nil {
		svc.OnMonitorTick = s.metrics.ObserveMonitorTick
	}
}

// Close ends the event streams, so that a graceful shutdown need not wait
// for clients that never hang up. Serving may go on; new streams are refused.
func (s *Server) Close() {
	s.hub.Close()
}

// SetMetricsToken lets a scraper read /metrics with token rather than an API token.
func (s *Server) SetMetricsToken(token string) { s.metricsToken = token }
