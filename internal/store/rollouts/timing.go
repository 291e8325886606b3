package rollouts

import (
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// timingCols are the columns of airlock.Timing, the same on policies and
// rollouts, in the order of timingArgs and timingScan.dest.
const timingCols = `health_grace_seconds, bake_seconds, max_retries, retry_backoff_seconds, defer_timeout_seconds,
	maintenance_windows, max_devices_per_minute, ramp, include_new_devices`

func timingArgs(t airlock.Timing) ([]any, error) {
	if t.MaintenanceWindows == nil {
		t.MaintenanceWindows = []airlock.MaintenanceWindow{}
	}
	windows, err := json.Marshal(t.MaintenanceWindows)
	if err != nil {
		return nil, fmt.Errorf("maintenance_windows: %w", err)
	}
	ramp, err := json.Marshal(t.Ramp)
	if err != nil {
		return nil, fmt.Errorf("ramp: %w", err)
	}
	return []any{t.HealthGraceSeconds, t.BakeSeconds, t.MaxRetries, t.RetryBackoffSeconds, t.DeferTimeoutSeconds,
		string(windows), t.MaxDevicesPerMinute, string(ramp), t.IncludeNewDevices}, nil
}

// timingScan holds the JSON columns of a Timing while a row is scanned.
type timingScan struct{ windows, ramp string }

func (s *timingScan) dest(t *airlock.Timing) []any {
	return []any{&t.HealthGraceSeconds, &t.BakeSeconds, &t.MaxRetries, &t.RetryBackoffSeconds, &t.DeferTimeoutSeconds,
		&s.windows, &t.MaxDevicesPerMinute, &s.ramp, &t.IncludeNewDevices}
}

func (s *timingScan) decode(t *airlock.Timing) error {
	if err := json.Unmarshal([]byte(s.windows), &t.MaintenanceWindows); err != nil {
		return fmt.Errorf("maintenance_windows: %w", err)
	}
	if err := json.Unmarshal([]byte(s.ramp), &t.Ramp); err != nil {
		return fmt.Errorf("ramp: %w", err)
	}
	return nil
}
