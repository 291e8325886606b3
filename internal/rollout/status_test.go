package rollout_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
)

var allStatuses = []string{
	rollout.StatusPending, rollout.StatusInProgress, rollout.StatusPaused, rollout.StatusCompleted,
	rollout.StatusFailed, rollout.StatusRolledBack, rollout.StatusCancelled, rollout.StatusSuperseded,
}

func TestTransition(t *testing.T) {
	// allowed lists, per action, each status it applies to and the result;
	// every other status must be a conflict.
	allowed := map[string]map[string]string{
		"start":  {"pending": "in_progress"},
		"pause":  {"in_progress": "paused"},
		"resume": {"paused": "in_progress"},
		"cancel": {"pending": "cancelled", "in_progress": "cancelled", "paused": "cancelled"},
		"rollback": {"in_progress": "rolled_back", "paused": "rolled_back", "failed": "rolled_back",
			"completed": "rolled_back", "cancelled": "rolled_back"},
		"supersede": {"pending": "superseded", "in_progress": "superseded", "paused": "superseded"},
		"complete":  {"in_progress": "completed"},
		"fail":      {"in_progress": "failed", "paused": "failed"},
	}
	for action, ok := range allowed {
		for _, from := range allStatuses {
			next, err := rollout.Transition(from, action)
			want, valid := ok[from]
			switch {
			case valid && (err != nil || next != want):
				t.Errorf("Transition(%q, %q) = %q, %v; want %q", from, action, next, err, want)
			case !valid && airlock.ErrorCode(err) != airlock.ECONFLICT:
				t.Errorf("Transition(%q, %q) = %q, %v; want a conflict", from, action, next, err)
			}
		}
	}
}

func TestTransitionMessages(t *testing.T) {
	tests := []struct{ status, action, code, msg string }{
		{"completed", "resume", airlock.ECONFLICT, "cannot resume a completed rollout"},
		{"in_progress", "start", airlock.ECONFLICT, "cannot start an in progress rollout"},
		{"", "start", airlock.ECONFLICT, "cannot start an unknown rollout"},
		{"pending", "explode", airlock.EINVALID, `unknown rollout action "explode"`},
	}
	for _, tt := range tests {
		_, err := rollout.Transition(tt.status, tt.action)
		if airlock.ErrorCode(err) != tt.code || airlock.ErrorMessage(err) != tt.msg {
			t.Errorf("Transition(%q, %q) = %v; want %s %q", tt.status, tt.action, err, tt.code, tt.msg)
		}
	}
}

func TestTerminal(t *testing.T) {
	terminal := map[string]bool{"completed": true, "failed": true, "rolled_back": true, "cancelled": true, "superseded": true}
	for _, s := range allStatuses {
		if got := rollout.Terminal(s); got != terminal[s] {
			t.Errorf("Terminal(%q) = %v", s, got)
		}
	}
}
