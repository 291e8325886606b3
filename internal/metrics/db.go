package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
)

// Every status is reported (rollout.Statuses and rollout.DeviceStatuses),
// zero included, so that a series does not vanish when its count drops to nothing.
// scrapeTimeout bounds the queries of one scrape.
const scrapeTimeout = 5 * time.Second

// StatsMaxAge is how long counts are reused: a flood of scrapes costs the
// database one count per this period, not one per scrape.
const StatsMaxAge = 5 * time.Second

// dbCollector reports what the database holds, counted at scrape time (or
// at most StatsMaxAge before): the numbers are then right whichever replica
// changed them.
type dbCollector struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex // held while counting, so concurrent scrapes share one count
	stats   store.Stats
	counted time.Time

	rollouts, devices, pending *prometheus.Desc
}

func newDBCollector(db *store.DB, log *slog.Logger) *dbCollector {
	return &dbCollector{db: db, log: log, now: time.Now,
		rollouts: prometheus.NewDesc("airlock_rollouts", "Rollouts by status.", []string{"status"}, nil),
		devices: prometheus.NewDesc("airlock_rollout_devices",
			"Devices of unfinished rollouts by their status in the rollout.", []string{"status"}, nil),
		pending: prometheus.NewDesc("airlock_approval_requests_pending", "Approval requests waiting for a decision.", nil, nil),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.rollouts
	ch <- c.devices
	ch <- c.pending
}

// Collect leaves the database gauges out when the database does not
// answer: a gap in the graph, rather than a false zero.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.count()
	if err != nil {
		c.log.Warn("metrics: counting rollouts and approvals", "err", err)
		return
	}
	for _, s := range rollout.Statuses {
		ch <- prometheus.MustNewConstMetric(c.rollouts, prometheus.GaugeValue, float64(st.Rollouts[s]), s)
	}
	for _, s := range rollout.DeviceStatuses {
		ch <- prometheus.MustNewConstMetric(c.devices, prometheus.GaugeValue, float64(st.RolloutDevices[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(st.PendingApprovals))
}

// count returns the counts, counting again when they are StatsMaxAge old.
func (c *dbCollector) count() (store.Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); c.counted.IsZero() || now.Sub(c.counted) >= StatsMaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		defer cancel()
		st, err := c.db.Stats(ctx)
		if err != nil {
			return st, err
		}
		c.stats, c.counted = st, now
	}
	return c.stats, nil
}
