// Package rollout is the pure logic of rollouts: batch planning, the rollout
// state machine and the judgement of devices from their reports. The clock is
// always passed in, so every decision can be replayed in a test.
package rollout

import (
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Rollout statuses.
const (
	StatusPending    = "pending"
	StatusInProgress = "in_progress"
	StatusPaused     = "paused"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusRolledBack = "rolled_back"
	StatusCancelled  = "cancelled"
	StatusSuperseded = "superseded"
)

// Device statuses within a rollout.
const (
	DevicePending    = "pending"
	DeviceUpdating   = "updating"
	DeviceSucceeded  = "succeeded"
	DeviceFailed     = "failed"
	DeviceTimedOut   = "timed_out"
	DeviceRolledBack = "rolled_back"
	DeviceSkipped    = "skipped"
)

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
)

// transitions maps each action to the statuses it applies to and its result.
//
// Rollback is allowed after the fact (completed, failed, cancelled) because
// a fault may surface only later and cancel leaves devices on what they have;
// callers restore only devices still targeted at this rollout's image.
// It is refused for pending (nothing changed: cancel it) and superseded
// (a newer rollout owns the devices). Complete and fail come from the
// monitor; fail also applies to a paused rollout, whose updating devices are
// still judged.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionStart:     {[]string{StatusPending}, StatusInProgress},
	ActionPause:     {[]string{StatusInProgress}, StatusPaused},
	ActionResume:    {[]string{StatusPaused}, StatusInProgress},
	ActionCancel:    {[]string{StatusPending, StatusInProgress, StatusPaused}, StatusCancelled},
	ActionRollback:  {[]string{StatusInProgress, StatusPaused, StatusFailed, StatusCompleted, StatusCancelled}, StatusRolledBack},
	ActionSupersede: {[]string{StatusPending, StatusInProgress, StatusPaused}, StatusSuperseded},
	ActionComplete:  {[]string{StatusInProgress}, StatusCompleted},
	ActionFail:      {[]string{StatusInProgress, StatusPaused}, StatusFailed},
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
	case StatusCompleted, StatusFailed, StatusRolledBack, StatusCancelled, StatusSuperseded:
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
