package policy

import (
	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/window"
)

// maxRetries bounds a policy's max_retries.
const maxRetries = 10

// checkTiming checks the judgement and timing knobs of issue 15.
func checkTiming(p *Policy) error {
	t := p.Timing
	for _, f := range []struct {
		name string
		v    int
	}{
		{"health_grace_seconds", t.HealthGraceSeconds}, {"bake_seconds", t.BakeSeconds},
		{"retry_backoff_seconds", t.RetryBackoffSeconds}, {"defer_timeout_seconds", t.DeferTimeoutSeconds},
	} {
		if f.v < 0 || f.v > maxSeconds {
			return airlock.FieldErrorf(f.name, "must be between 0 and %d", maxSeconds)
		}
	}
	if t.MaxRetries < 0 || t.MaxRetries > maxRetries {
		return airlock.FieldErrorf("max_retries", "must be between 0 and %d", maxRetries)
	}
	if err := Rate(t).Validate(); err != nil {
		return err
	}
	return window.Validate(Windows(t.MaintenanceWindows))
}

// Rate is the rollout rate t sets.
func Rate(t airlock.Timing) rollout.Rate {
	return rollout.Rate{MaxPerMinute: t.MaxDevicesPerMinute, Ramp: rollout.Ramp(t.Ramp)}
}

// Windows converts stored maintenance windows for package window.
func Windows(ws []airlock.MaintenanceWindow) []window.Window {
	out := make([]window.Window, len(ws))
	for i, w := range ws {
		out[i] = window.Window(w)
	}
	return out
}
