package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/service/monitor"
)

// DefaultMonitorInterval is the monitor's tick when none is configured.
const DefaultMonitorInterval = monitor.DefaultInterval

// MonitorSettings configure the rollout monitor; see monitor.Settings.
type MonitorSettings = monitor.Settings

func (s *Service) monitor() monitor.Monitor {
	return monitor.Monitor{DB: s.DB, Log: s.Log, Settings: &s.MonitorSettings, State: &s.mon}
}

// StartMonitor runs the monitor every MonitorInterval, from now until ctx
// ends or stop is called; see monitor.Monitor.Start.
func (s *Service) StartMonitor(ctx context.Context) (stop func()) { return s.monitor().Start(ctx) }

// Close stops the monitor and the release resolver, if they run, giving their leases up.
func (s *Service) Close() {
	s.stopReleases()
	s.monitor().Close()
}

// MonitorTick runs the monitor once; see monitor.Monitor.Tick.
func (s *Service) MonitorTick(ctx context.Context) error { return s.monitor().Tick(ctx) }
