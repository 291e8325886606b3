package rollout_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
)

var allStatuses = rollout.Statuses

func TestTransition(t *testing.T) {
	// allowed lists, per action, each status it applies to and the result;
	// every other status must be a conflict.
	allowed := map[string]map[string]string{
		"start":  {"pending": "in_progress"},
		"pause":  {"in_progress": "paused", "waiting_for_window": "paused"},
		"resume": {"paused": "in_progress"},
		"cancel": {"planning": "cancelled", "pending": "cancelled", "in_progress": "cancelled", "paused": "cancelled", "waiting_for_window": "cancelled"},
		"rollback": {"in_progress": "rolled_back", "paused": "rolled_back", "waiting_for_window": "rolled_back", "failed": "rolled_back",
			"completed": "rolled_back", "completed_with_failures": "rolled_back", "cancelled": "rolled_back"},
		"supersede":              {"planning": "superseded", "pending": "superseded", "in_progress": "superseded", "paused": "superseded", "waiting_for_window": "superseded"},
		"complete":               {"in_progress": "completed", "waiting_for_window": "completed"},
		"complete_with_failures": {"in_progress": "completed_with_failures", "waiting_for_window": "completed_with_failures"},
		"fail":                   {"in_progress": "failed", "paused": "failed", "waiting_for_window": "failed"},
		"hold":                   {"in_progress": "waiting_for_window"},
		"release":                {"waiting_for_window": "in_progress"},
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
	terminal := map[string]bool{"completed": true, "completed_with_failures": true, "failed": true, "rolled_back": true, "cancelled": true, "superseded": true}
	for _, s := range allStatuses {
		if got := rollout.Terminal(s); got != terminal[s] {
			t.Errorf("Terminal(%q) = %v", s, got)
		}
	}
}
