package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// DefaultMonitorInterval is the monitor's tick when none is configured.
const DefaultMonitorInterval = 30 * time.Second

// monitorLease names the lease row of the replica that runs the monitor.
const monitorLease = "rollout-monitor"

// MonitorSettings configure the rollout monitor. Every field may be left zero.
type MonitorSettings struct {
	MonitorInterval time.Duration // between ticks; DefaultMonitorInterval when zero
	LeaseTTL        time.Duration // how long leadership outlives its last renewal; 3 ticks (at least 1s) when zero
	MonitorID       string        // this replica's name in the lease; host name and a random suffix when empty

	// OnMonitorTick, when set, is told how long each tick took and whether
	// this replica led it (for metrics).
	OnMonitorTick func(d time.Duration, leader bool)
}

// monitorLeader is this replica's claim on the monitor's lease, made on
// first use so that tests may set MonitorSettings after New.
func (s *Service) monitorLeader() *leader.Lease {
	s.monOnce.Do(func() {
		s.mon = leader.New(s.DB, monitorLease, s.MonitorID, s.leaseTTL(), s.Log)
	})
	return s.mon
}

func (s *Service) interval() time.Duration {
	if s.MonitorInterval > 0 {
		return s.MonitorInterval
	}
	return DefaultMonitorInterval
}

func (s *Service) leaseTTL() time.Duration {
	if s.LeaseTTL > 0 {
		return s.LeaseTTL
	}
	return max(3*s.interval(), time.Second)
}

// StartMonitor runs the monitor every MonitorInterval, from now until ctx
// ends or stop is called. stop waits for the tick under way and gives the
// lease up, so that another replica takes over at once.
func (s *Service) StartMonitor(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.interval())
		defer t.Stop()
		for {
			if err := s.MonitorTick(ctx); err != nil && ctx.Err() == nil {
				s.Log.ErrorContext(ctx, "rollout monitor tick failed", "err", err)
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
			s.monitorLeader().Release(context.Background())
		})
	}
	s.monStop = append(s.monStop, stop)
	return stop
}

// Close stops the monitor, if it runs, giving its lease up.
func (s *Service) Close() {
	for _, stop := range s.monStop {
		stop()
	}
}

// MonitorTick runs the monitor once: it takes or renews the lease and, if
// this replica leads, advances every rollout in progress or paused, each in
// a transaction of its own. A replica that cannot renew the lease does
// nothing: it has stepped down.
func (s *Service) MonitorTick(ctx context.Context) error {
	began := time.Now()
	leader, err := s.monitorLeader().Renew(ctx)
	if leader {
		err = s.advanceAll(ctx)
	}
	if s.OnMonitorTick != nil {
		s.OnMonitorTick(time.Since(began), leader)
	}
	return err
}

// advanceAll advances each active rollout. One failing does not hold up
// the others; leadership is renewed as the work goes on.
func (s *Service) advanceAll(ctx context.Context) error {
	ids, err := rolloutdb.ActiveRollouts(ctx, s.DB)
	if err != nil {
		return err
	}
	var errs []error
	renewed := s.DB.Now()
	for _, id := range ids {
		if s.DB.Now().Sub(renewed) > s.leaseTTL()/3 {
			leader, err := s.monitorLeader().Renew(ctx)
			if !leader {
				return errors.Join(append(errs, err)...)
			}
			renewed = s.DB.Now()
		}
		if err := s.advance(ctx, id); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("rollout %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// advance is one step of one rollout: judge its updating devices from their
// reports, then record the verdicts and whatever the rollout does next, in
// one transaction over the locked rollout row, so that a step is either
// wholly done or not at all, and done once.
func (s *Service) advance(ctx context.Context, id int64) error {
	return s.DB.InTx(ctx, "monitor", func(tx *store.Tx) error {
		r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
		if err != nil || (r.Status != rollout.StatusInProgress && r.Status != rollout.StatusPaused) {
			return err
		}
		devices, err := rollouts.Watch(ctx, tx, r)
		if err != nil {
			return err
		}
		step := rollout.Decide(rollouts.StateOf(r), devices, tx.Now())
		return s.engine().Apply(ctx, tx, r, devices, step)
	})
}
