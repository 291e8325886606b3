package rollout

import "time"

// Poll pacing defaults: how soon a device should ask for its target state
// again.
const (
	DefaultPollIdle   = 5 * time.Minute
	DefaultPollActive = 15 * time.Second
)

// PollAfter returns poll_after_seconds for a device: sooner while it is in
// an active batch (told to update and not judged yet, or next to start),
// else idle. jitter, in [0, 1) and drawn by the caller, spreads the answer
// over ±20% so that a fleet told the same does not poll in step. Zero
// durations take the defaults; the result is at least 1.
func PollAfter(idle, active time.Duration, inActiveBatch bool, jitter float64) int {
	if idle <= 0 {
		idle = DefaultPollIdle
	}
	if active <= 0 {
		active = DefaultPollActive
	}
	d := idle
	if inActiveBatch {
		d = min(active, idle)
	}
	jitter = min(max(jitter, 0), 1)
	secs := d.Seconds() * (0.8 + 0.4*jitter)
	return max(1, int(secs))
}
