package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/rollouts"
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
	ids, err := rollouts.ActiveRollouts(ctx, s.DB)
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
		r, err := rollouts.RolloutForUpdate(ctx, tx, id)
		if err != nil || (r.Status != rollout.StatusInProgress && r.Status != rollout.StatusPaused) {
			return err
		}
		devices, err := watch(ctx, tx, r)
		if err != nil {
			return err
		}
		step := rollout.Decide(stateOf(r), devices, tx.Now())
		return s.apply(ctx, tx, r, devices, step)
	})
}

func stateOf(r airlock.Rollout) rollout.State {
	st := rollout.State{Status: r.Status, CurrentBatch: r.CurrentBatch, TotalBatches: r.TotalBatches,
		BatchDelay: time.Duration(r.BatchDelaySeconds) * time.Second, Timeout: time.Duration(r.HealthCheckTimeoutSeconds) * time.Second,
		ThresholdPercent: r.FailureThresholdPercent, MinDevices: r.MinDevicesForThreshold, AutoRollback: r.AutoRollback}
	if r.BatchDoneAt != nil {
		st.BatchDoneAt = *r.BatchDoneAt
	}
	return st
}

// appReport is the part of a stored device report the monitor reads.
// Healthy is a pointer: a report without it is judged on status alone.
type appReport struct {
	Image   string `json:"image"`
	Status  string `json:"status"`
	Healthy *bool  `json:"healthy"`
}

// watch reads the devices of rollout r as rollout.Decide judges them. A
// device is keyed by uuid and app, as it may run the repository in several
// apps. Its report is JSON, and decoding a fleet's is most of a tick's own
// work, so rows are decoded a chunk at a time while the next are read.
func watch(ctx context.Context, tx *store.Tx, r airlock.Rollout) ([]rollout.Device, error) {
	var parts []*[]rollout.Device
	var wg sync.WaitGroup
	chunk := make([]rollouts.WatchedDevice, 0, watchChunk)
	flush := func() {
		part, rows := new([]rollout.Device), chunk
		parts = append(parts, part)
		wg.Go(func() { *part = readReports(r.Image, rows) })
		chunk = make([]rollouts.WatchedDevice, 0, watchChunk)
	}
	err := rollouts.WatchDevices(ctx, tx, r.ID, func(w rollouts.WatchedDevice) {
		if chunk = append(chunk, w); len(chunk) == watchChunk {
			flush()
		}
	})
	flush()
	wg.Wait()
	devices := make([]rollout.Device, 0, len(parts)*watchChunk)
	for _, p := range parts {
		devices = append(devices, *p...)
	}
	return devices, err
}

// watchChunk is how many devices a goroutine decodes at a time.
const watchChunk = 4096

// readReports returns the devices of watched. Reported images are normalised
// (a device may say "redis:7" for docker.io/library/redis:7), each distinct
// one once; a report that does not name target at all cannot be about it,
// and is not decoded.
func readReports(target string, watched []rollouts.WatchedDevice) []rollout.Device {
	devices := make([]rollout.Device, len(watched))
	normal := map[string]string{}
	name := []byte(target[strings.LastIndexByte(target, '/')+1:])
	for i, w := range watched {
		d := rollout.Device{UUID: deviceKey(w.DeviceUUID, w.App), Batch: w.Batch, Status: w.Status,
			Target: target, UpdatedAt: w.UpdatedAt}
		if len(w.Report) > 0 && bytes.Contains(w.Report, name) {
			var doc struct {
				Apps map[string]appReport `json:"apps"`
			}
			if json.Unmarshal(w.Report, &doc) == nil {
				if app, ok := doc.Apps[w.App]; ok {
					d.Report = rollout.Report{Image: normalised(normal, app.Image), Status: app.Status,
						Healthy: app.Healthy, ReportedAt: w.ReportedAt}
				}
			}
		}
		devices[i] = d
	}
	return devices
}

func deviceKey(uuid, app string) string { return uuid + "\x00" + app }

func normalised(cache map[string]string, image string) string {
	if n, ok := cache[image]; ok {
		return n
	}
	n := image
	if ref, err := imageref.Parse(image); err == nil {
		n = ref.String()
	}
	cache[image] = n
	return n
}
