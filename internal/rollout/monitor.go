package rollout

import (
	"time"

	"github.com/airlock-iot/airlock/internal/window"
)

// Monitor-only actions; a Step's other actions, ActionComplete,
// ActionRollback and ActionFail, are Transition's own.
const (
	ActionWait      = "wait"
	ActionNextBatch = "next_batch"
)

// State is what the monitor needs of one rollout. Batches are numbered from
// 1; CurrentBatch 0 means none has started yet.
type State struct {
	Status                     string
	CurrentBatch, TotalBatches int
	BatchDoneAt                time.Time // when the current batch finished; zero while it runs
	BatchDelay, Timeout        time.Duration
	ThresholdPercent           int
	MinDevices                 int
	AutoRollback               bool

	// Read by Advance only; every zero value means the feature is off.
	HealthGrace    time.Duration   // how long a running target may be unhealthy; Timeout when zero
	Bake           time.Duration   // how long a device must stay healthy to succeed
	DeferTimeout   time.Duration   // how long a device may defer the update; Timeout when zero
	MaxRetries     int             // further attempts before a failure or timeout counts
	RetryBackoff   time.Duration   // the first retry's delay, doubling; DefaultRetryBackoff when zero
	Canary         bool            // batch 1 is a canary, judged on its own
	Rate           Rate            // how fast devices start
	Windows        []window.Window // devices start only inside one (none: any time)
	StartAt, EndAt time.Time       // a manual rollout's span; zero for none
}

// Device is one device of a rollout. For an updating device UpdatedAt is
// when it was told to update: its health timeout runs from there.
type Device struct {
	UUID      string
	Batch     int
	Status    string
	Target    string
	UpdatedAt time.Time
	Report    Report

	TargetDigest string   // when set, a report naming another digest is not of the target (Advance)
	Track        Tracking // what Advance remembers between ticks; the caller stores it as returned
}

// Step is the monitor's decision for one tick.
type Step struct {
	Verdicts  map[string]string // uuid → new status, for devices that left updating
	Action    string            // wait, next_batch, complete, rollback or fail
	BatchDone bool              // the current batch finished this tick: record BatchDoneAt = now
}

// Decide judges the updating devices and says what the rollout does next.
//
// Updating devices are judged whether the rollout is in progress or paused.
// The failure threshold counts every judged device of the rollout so far;
// the minimum sample is capped at the number of devices not skipped, so a
// fleet smaller than MinDevices is still judged once all have been. When it
// is exceeded the rollout stops, paused or not: rollback with AutoRollback,
// else fail. A batch is done when none of its devices is updating; the next
// one starts BatchDelay after that (immediately for CurrentBatch 0), and
// only while in progress. The last batch done completes the rollout.
func Decide(s State, devices []Device, now time.Time) Step {
	if s.Status != StatusInProgress && s.Status != StatusPaused {
		return Step{Action: ActionWait}
	}
	step := Step{Action: ActionWait, Verdicts: judgeAll(s, devices, now)}
	if exceeded(s, devices, step.Verdicts) {
		step.Action = ActionFail
		if s.AutoRollback {
			step.Action = ActionRollback
		}
		return step
	}
	if !batchDone(s.CurrentBatch, devices, step.Verdicts) {
		return step
	}
	doneAt := s.BatchDoneAt
	if s.CurrentBatch > 0 && doneAt.IsZero() {
		doneAt, step.BatchDone = now, true
	}
	switch {
	case s.Status == StatusPaused:
	case s.CurrentBatch >= s.TotalBatches:
		step.Action = ActionComplete
	case !now.Before(doneAt.Add(s.BatchDelay)):
		step.Action = ActionNextBatch
	}
	return step
}

// judgeAll returns the verdicts of the updating devices that have one, or nil.
func judgeAll(s State, devices []Device, now time.Time) map[string]string {
	var verdicts map[string]string
	for _, d := range devices {
		if d.Status != DeviceUpdating {
			continue
		}
		if v := Judge(d.Target, d.Report, d.UpdatedAt, now, s.Timeout); v != DeviceUpdating {
			if verdicts == nil {
				verdicts = make(map[string]string)
			}
			verdicts[d.UUID] = v
		}
	}
	return verdicts
}

func exceeded(s State, devices []Device, verdicts map[string]string) bool {
	var failed, judged, eligible int
	for _, d := range devices {
		switch status(d, verdicts) {
		case DeviceFailed, DeviceTimedOut:
			failed++
			judged++
		case DeviceSucceeded:
			judged++
		}
		if d.Status != DeviceSkipped {
			eligible++
		}
	}
	return Exceeded(failed, judged, s.ThresholdPercent, min(s.MinDevices, eligible))
}

func batchDone(batch int, devices []Device, verdicts map[string]string) bool {
	for _, d := range devices {
		if d.Batch == batch && status(d, verdicts) == DeviceUpdating {
			return false
		}
	}
	return true
}

// status is d's status once this tick's verdicts apply.
func status(d Device, verdicts map[string]string) string {
	if v, ok := verdicts[d.UUID]; ok {
		return v
	}
	return d.Status
}
