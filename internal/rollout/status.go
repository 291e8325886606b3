package rollout

import (
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Rollout statuses.
const (
	// StatusPlanning: the rollout is recorded and a planner is still
	// choosing its devices and batches, a chunk at a time; it moves on to
	// in_progress, pending (manual) or completed (no device needed it).
	StatusPlanning         = "planning"
	StatusPending          = "pending"
	StatusInProgress       = "in_progress"
	StatusPaused           = "paused"
	StatusWaitingForWindow = "waiting_for_window" // devices are due to start but no maintenance window is open
	StatusCompleted        = "completed"
	// StatusCompletedWithFailures: every batch ran, and some devices failed
	// or timed out without reaching the failure threshold.
	StatusCompletedWithFailures = "completed_with_failures"
	StatusFailed                = "failed" // stopped by failures without rollback
	StatusRolledBack            = "rolled_back"
	StatusCancelled             = "cancelled"
	StatusSuperseded            = "superseded"
)

// Statuses lists every rollout status.
var Statuses = []string{StatusPlanning, StatusPending, StatusInProgress, StatusPaused, StatusWaitingForWindow, StatusCompleted,
	StatusCompletedWithFailures, StatusFailed, StatusRolledBack, StatusCancelled, StatusSuperseded}

// Device statuses within a rollout.
const (
	DevicePending    = "pending"
	DeviceUpdating   = "updating"
	DeviceBaking     = "baking"   // healthy, waiting out the bake time
	DeviceDeferred   = "deferred" // the device holds the update off (an update lock)
	DeviceSucceeded  = "succeeded"
	DeviceFailed     = "failed"
	DeviceTimedOut   = "timed_out"
	DeviceRolledBack = "rolled_back"
	DeviceSkipped    = "skipped"   // never told to update, with the reason
	DeviceCancelled  = "cancelled" // told to update, then its rollout was cancelled or superseded
)

// DeviceStatuses lists every device status within a rollout.
var DeviceStatuses = []string{DevicePending, DeviceUpdating, DeviceBaking, DeviceDeferred, DeviceSucceeded,
	DeviceFailed, DeviceTimedOut, DeviceRolledBack, DeviceSkipped, DeviceCancelled}

// Actions on a rollout.
const (
	ActionStart     = "start"
	ActionPause     = "pause"
	ActionResume    = "resume"
	ActionCancel    = "cancel"
	ActionRollback  = "rollback"
	ActionSupersede = "supersede"
	ActionComplete  = "complete"
	ActionFail      = "fail"

	ActionCompleteWithFailures = "complete_with_failures"
	ActionHold                 = "hold"    // no maintenance window is open: wait for one
	ActionRelease              = "release" // a window opened
)

// transitions maps each action to the statuses it applies to and its result.
//
// Cancelling or superseding a planning rollout stops its planner; the
// devices it already gave the image are settled as for any other.
// Rollback is allowed after the fact (completed, failed, cancelled) because
// a fault may surface only later and cancel leaves devices on what they have;
// callers restore only devices still targeted at this rollout's image.
// It is refused for pending (nothing changed: cancel it) and superseded
// (a newer rollout owns the devices). Complete and fail come from the
// monitor; fail also applies to a paused rollout, whose updating devices are
// still judged, and so is a rollout waiting for a window, which completes
// if its last devices finish while it waits. Pausing one that
// waits for a window pauses it; resuming returns it to in_progress and the
// monitor holds it again if the window is still closed.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionStart:  {[]string{StatusPending}, StatusInProgress},
	ActionPause:  {[]string{StatusInProgress, StatusWaitingForWindow}, StatusPaused},
	ActionResume: {[]string{StatusPaused}, StatusInProgress},
	ActionCancel: {[]string{StatusPlanning, StatusPending, StatusInProgress, StatusPaused, StatusWaitingForWindow}, StatusCancelled},
	ActionRollback: {[]string{StatusInProgress, StatusPaused, StatusWaitingForWindow, StatusFailed, StatusCompleted,
		StatusCompletedWithFailures, StatusCancelled}, StatusRolledBack},
	ActionSupersede:            {[]string{StatusPlanning, StatusPending, StatusInProgress, StatusPaused, StatusWaitingForWindow}, StatusSuperseded},
	ActionComplete:             {[]string{StatusInProgress, StatusWaitingForWindow}, StatusCompleted},
	ActionCompleteWithFailures: {[]string{StatusInProgress, StatusWaitingForWindow}, StatusCompletedWithFailures},
	ActionFail:                 {[]string{StatusInProgress, StatusPaused, StatusWaitingForWindow}, StatusFailed},
	ActionHold:                 {[]string{StatusInProgress}, StatusWaitingForWindow},
	ActionRelease:              {[]string{StatusWaitingForWindow}, StatusInProgress},
}

// Transition returns the status a rollout in status reaches by action.
// An unknown action is EINVALID; an action the status does not allow is
// ECONFLICT, e.g. "cannot resume a completed rollout".
func Transition(status, action string) (string, error) {
	t, ok := transitions[action]
	if !ok {
		return "", airlock.FieldErrorf("action", "unknown rollout action %q", action)
	}
	for _, from := range t.from {
		if status == from {
			return t.to, nil
		}
	}
	return "", airlock.Errorf(airlock.ECONFLICT, "cannot %s %s rollout", action, withArticle(status))
}

// Terminal reports whether a rollout in status makes no further progress.
// Failed is terminal too: only an admin's rollback can follow it.
func Terminal(status string) bool {
	switch status {
	case StatusCompleted, StatusCompletedWithFailures, StatusFailed, StatusRolledBack, StatusCancelled, StatusSuperseded:
		return true
	}
	return false
}

// withArticle renders "in_progress" as "an in progress".
func withArticle(status string) string {
	s := strings.ReplaceAll(status, "_", " ")
	if s == "" {
		return "an unknown"
	}
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
