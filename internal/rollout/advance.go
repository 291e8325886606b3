package rollout

import (
	"fmt"
	"time"
)

// Change is the new state of one device, for the caller to store whole.
type Change struct {
	UUID   string
	Status string
	Track  Tracking // with the evidence: Reason, Message, ExitCode
	Retry  bool     // the attempt failed and another starts at Track.StartedAt: send the target again
}

// Progress is Advance's decision for one tick.
type Progress struct {
	// Action is the rollout's own move: ActionWait, ActionComplete,
	// ActionCompleteWithFailures, ActionRollback, ActionFail, ActionHold
	// or ActionRelease, each a Transition action but wait.
	Action string
	Reason string // why it stopped or holds

	Changes []Change // devices whose status or tracking changed, in device order
	Failed  []Change // those of Changes that newly failed or timed out, for image.rollout_device_failed

	BatchDone bool     // the current batch finished this tick: record BatchDoneAt = now
	NextBatch bool     // the next batch begins: CurrentBatch+1, BatchDoneAt cleared
	Start     []Change // pending devices to tell to update now (of the batch begun, if NextBatch)

	NextOpening time.Time // devices are due but no window is open: when one opens (zero: none will)
	NextStart   time.Time // the rate held devices back: when the next may start

	// NextDue is when the rollout next needs a step if no report arrives
	// and nothing else changes it: now when this step did more than judge
	// devices, zero when only a report or an admin can move it.
	NextDue time.Time
}

// Advance is the monitor's step over the richer State and Device values:
// it judges the rollout's devices from their reports, gates on failures,
// and says which devices start and what the rollout does next. Devices in
// flight are judged whether the rollout is in progress, paused or waiting
// for a window; devices start and batches begin only while in progress,
// inside a window and within the rate.
func Advance(s State, devices []Device, now time.Time) Progress {
	switch s.Status {
	case StatusInProgress, StatusPaused, StatusWaitingForWindow:
	default:
		return Progress{Action: ActionWait}
	}
	p := Progress{Action: ActionWait}
	p.advance(s, devices, now)
	p.NextDue = p.due(s, devices, now)
	return p
}

// advance judges, gates and schedules.
func (p *Progress) advance(s State, devices []Device, now time.Time) {
	after := p.judge(s, devices, now)
	if reason := gate(s, devices, after); reason != "" {
		p.Action, p.Reason = ActionFail, reason
		if s.AutoRollback {
			p.Action = ActionRollback
		}
		return
	}
	p.schedule(s, devices, after, now)
}

// inFlight reports whether a device with status is told to update and not
// yet judged.
func inFlight(status string) bool {
	return status == DeviceUpdating || status == DeviceBaking || status == DeviceDeferred
}

// judge assesses the devices in flight and returns every device's status
// after this tick, by index.
func (p *Progress) judge(s State, devices []Device, now time.Time) []string {
	after := make([]string, len(devices))
	for i, d := range devices {
		after[i] = d.Status
		if !inFlight(d.Status) {
			continue
		}
		status, t := assess(s, d, now)
		c := Change{UUID: d.UUID, Status: status, Track: t}
		final := status == DeviceFailed || status == DeviceTimedOut
		if final && t.Attempt <= s.MaxRetries {
			c, final = retry(s, c, now), false
		}
		after[i] = c.Status
		if c.Status == d.Status && c.Track.Equal(d.Track) {
			continue
		}
		p.Changes = append(p.Changes, c)
		if final {
			p.Failed = append(p.Failed, c)
		}
	}
	return after
}

// DefaultRetryBackoff is the first retry's delay when a policy sets none.
const DefaultRetryBackoff = 30 * time.Second

// MaxRetryBackoff caps the doubling.
const MaxRetryBackoff = time.Hour

// Backoff is the delay before retry number attempt (1 for the first):
// base, doubling each time, at most MaxRetryBackoff.
func Backoff(base time.Duration, attempt int) time.Duration {
	if base <= 0 {
		base = DefaultRetryBackoff
	}
	d := base
	for i := 1; i < attempt && d < MaxRetryBackoff; i++ {
		d *= 2
	}
	return min(d, MaxRetryBackoff)
}

// retry turns a failed attempt into the next one: updating again from a
// not-before time, the evidence kept and the reason saying what failed.
func retry(s State, c Change, now time.Time) Change {
	old, how := c.Track, "failed"
	if c.Status == DeviceTimedOut {
		how = "timed out"
	}
	at := now.Add(Backoff(s.RetryBackoff, old.Attempt))
	c.Status, c.Retry = DeviceUpdating, true
	c.Track = Tracking{Attempt: old.Attempt + 1, StartedAt: at, ClockFrom: at, Message: old.Message, ExitCode: old.ExitCode,
		Reason: fmt.Sprintf("attempt %d %s (%s); retrying from %s", old.Attempt, how, old.Reason, at.UTC().Format(time.RFC3339))}
	return c
}
