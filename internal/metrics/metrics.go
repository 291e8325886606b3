// Package metrics holds Airlock's Prometheus collectors. Each api.Server
// has its own Set (and registry), so that servers in one test process do
// not mix their numbers. Counters move as requests are served; the gauges of
// what the database holds are computed when /metrics is scraped.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/airlock-iot/airlock/internal/store"
)

// Set is the collectors of one server.
type Set struct {
	reg *prometheus.Registry

	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	webhooks       *prometheus.CounterVec
	webhookLatency *prometheus.HistogramVec
	polls          *prometheus.CounterVec
	reports        *prometheus.CounterVec
	monitorTick    prometheus.Histogram
	monitorLeader  prometheus.Gauge
	mirrored       prometheus.Counter
	db             *dbCollector
}

// New builds the collectors, the database gauges over db among them.
func New(db *store.DB, log *slog.Logger) *Set {
	s := &Set{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "airlock_http_requests_total",
			Help: "HTTP requests by method, route pattern and status code."}, []string{"method", "route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "airlock_http_request_duration_seconds",
			Help: "HTTP request durations by method and route pattern.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "airlock_webhook_deliveries_total",
			Help: "Registry webhook deliveries by source and outcome."}, []string{"source", "outcome"}),
		webhookLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "airlock_webhook_duration_seconds",
			Help: "Time to answer a registry webhook delivery, by source.", Buckets: prometheus.DefBuckets}, []string{"source"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "airlock_target_state_polls_total",
			Help: "Device polls of their target state by status code (200 new state, 304 unchanged)."}, []string{"code"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "airlock_device_reports_total",
			Help: "Device state reports by status code."}, []string{"code"}),
		monitorTick: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "airlock_monitor_tick_duration_seconds",
			Help: "Duration of rollout monitor ticks.", Buckets: prometheus.DefBuckets}),
		monitorLeader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "airlock_monitor_leader",
			Help: "1 when this replica leads the rollout monitor, else 0."}),
		mirrored: prometheus.NewCounter(prometheus.CounterOpts{Name: "airlock_mirrored_bytes_total",
			Help: "Bytes copied into the mirror registry (blobs it already had are not counted)."}),
		db: newDBCollector(db, log),
	}
	s.reg.MustRegister(s.httpRequests, s.httpDuration, s.webhooks, s.webhookLatency, s.polls, s.reports,
		s.monitorTick, s.monitorLeader, s.mirrored, s.db,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s
}

// SetClock replaces the clock that ages the database counts (tests).
func (s *Set) SetClock(now func() time.Time) { s.db.now = now }

// Handler serves the metrics in the Prometheus exposition format.
func (s *Set) Handler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}

// Gauge adds a gauge read from fn at each scrape.
func (s *Set) Gauge(name, help string, fn func() float64) {
	s.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// ObserveHTTP counts a served request. route is the pattern it matched,
// never the raw path, so that the number of series stays bounded.
func (s *Set) ObserveHTTP(method, route string, code int, d time.Duration) {
	s.httpRequests.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
	s.httpDuration.WithLabelValues(method, route).Observe(d.Seconds())
}

// ObserveWebhook counts a webhook delivery and how long its answer took.
func (s *Set) ObserveWebhook(source, outcome string, d time.Duration) {
	s.webhooks.WithLabelValues(source, outcome).Inc()
	s.webhookLatency.WithLabelValues(source).Observe(d.Seconds())
}

// ObservePoll counts a device's target-state poll by its status code.
func (s *Set) ObservePoll(code int) { s.polls.WithLabelValues(strconv.Itoa(code)).Inc() }

// ObserveReport counts a device's state report by its status code.
func (s *Set) ObserveReport(code int) { s.reports.WithLabelValues(strconv.Itoa(code)).Inc() }

// ObserveMonitorTick records a rollout monitor tick: its duration and
// whether this replica led it. It fits service.MonitorSettings.OnMonitorTick.
func (s *Set) ObserveMonitorTick(d time.Duration, leader bool) {
	s.monitorTick.Observe(d.Seconds())
	if leader {
		s.monitorLeader.Set(1)
	} else {
		s.monitorLeader.Set(0)
	}
}

// ObserveMirrored counts bytes copied into the mirror. It fits
// service.ReleaseSettings.OnMirrored.
func (s *Set) ObserveMirrored(bytes int64) { s.mirrored.Add(float64(bytes)) }
