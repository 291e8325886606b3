// Package monitor runs the rollout monitor: on one replica at a time, it
// advances every active rollout on each tick.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// DefaultInterval is the monitor's tick when none is configured.
const DefaultInterval = 30 * time.Second

// monitorLease names the lease row of the replica that runs the monitor.
const monitorLease = "rollout-monitor"

// Settings configure the rollout monitor. Every field may be left zero.
type Settings struct {
	MonitorInterval time.Duration // between ticks; DefaultInterval when zero
	LeaseTTL        time.Duration // how long leadership outlives its last renewal; 3 ticks (at least 1s) when zero
	MonitorID       string        // this replica's name in the lease; host name and a random suffix when empty

	// OnMonitorTick, when set, is told how long each tick took and whether
	// this replica led it (for metrics).
	OnMonitorTick func(d time.Duration, leader bool)
}

// State is what a replica's monitor keeps between calls. The zero value is ready.
type State struct {
	lease *leader.Lease // its leadership
	once  sync.Once
	stops []func() // see Close
}

// Monitor runs the monitor over one database.
type Monitor struct {
	DB       *store.DB
	Log      *slog.Logger
	Settings *Settings
	State    *State
}

// monitorLeader is this replica's claim on the monitor's lease, made on
// first use so that tests may set Settings after New.
func (m Monitor) monitorLeader() *leader.Lease {
	m.State.once.Do(func() {
		m.State.lease = leader.New(m.DB, monitorLease, m.Settings.MonitorID, m.leaseTTL(), m.Log)
	})
	return m.State.lease
}

func (m Monitor) interval() time.Duration {
	if m.Settings.MonitorInterval > 0 {
		return m.Settings.MonitorInterval
	}
	return DefaultInterval
}

func (m Monitor) leaseTTL() time.Duration {
	if m.Settings.LeaseTTL > 0 {
		return m.Settings.LeaseTTL
	}
	return max(3*m.interval(), time.Second)
}

// Start runs the monitor every MonitorInterval, from now until ctx
// ends or stop is called. stop waits for the tick under way and gives the
// lease up, so that another replica takes over at once.
func (m Monitor) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(m.interval())
		defer t.Stop()
		for {
			if err := m.Tick(ctx); err != nil && ctx.Err() == nil {
				m.Log.ErrorContext(ctx, "rollout monitor tick failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			m.monitorLeader().Release(context.Background())
		})
	}
	m.State.stops = append(m.State.stops, stop)
	return stop
}

// Close stops the monitor, if it runs, giving its lease up.
func (m Monitor) Close() {
	for _, stop := range m.State.stops {
		stop()
	}
}

// Tick runs the monitor once: it takes or renews the lease and, if this
// replica leads, advances every rollout in progress, paused or waiting for
// a window, each in a transaction of its own. A replica that cannot renew
// the lease does nothing: it has stepped down.
func (m Monitor) Tick(ctx context.Context) error {
	began := time.Now()
	leader, err := m.monitorLeader().Renew(ctx)
	if leader {
		err = m.advanceAll(ctx)
	}
	if m.Settings.OnMonitorTick != nil {
		m.Settings.OnMonitorTick(time.Since(began), leader)
	}
	return err
}

// advanceAll advances each active rollout. One failing does not hold up
// the others; leadership is renewed as the work goes on.
func (m Monitor) advanceAll(ctx context.Context) error {
	ids, err := rolloutdb.ActiveRollouts(ctx, m.DB)
	if err != nil {
		return err
	}
	var errs []error
	renewed := m.DB.Now()
	for _, id := range ids {
		if m.DB.Now().Sub(renewed) > m.leaseTTL()/3 {
			leader, err := m.monitorLeader().Renew(ctx)
			if !leader {
				return errors.Join(append(errs, err)...)
			}
			renewed = m.DB.Now()
		}
		if err := m.advance(ctx, id); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("rollout %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func monitored(status string) bool {
	return status == rollout.StatusInProgress || status == rollout.StatusPaused || status == rollout.StatusWaitingForWindow
}

// advance is one step of one rollout, when it is due (see
// rollouts.Engine.StepIfDue): judge its updating devices from their
// reports, then record the verdicts and whatever the rollout does next, in
// one transaction over the locked rollout row, so that a step is either
// wholly done or not at all, and done once.
func (m Monitor) advance(ctx context.Context, id int64) error {
	return m.DB.InTx(ctx, "monitor", func(tx *store.Tx) error {
		r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
		if err != nil || !monitored(r.Status) {
			return err
		}
		_, err = rollouts.Engine{Log: m.Log}.StepIfDue(ctx, tx, r)
		return err
	})
}
