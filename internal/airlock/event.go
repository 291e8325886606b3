package airlock

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Event is one row of the audit trail.
type Event struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Subject   string          `json:"subject"`
	Actor     string          `json:"actor"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// EventFollower reads the audit trail in id order, each event once and none
// skipped, for a stream or a worker that must not miss one. The store
// provides it; the hub, the event stream and notifications consume it.
type EventFollower interface {
	// Next returns up to limit events after the cursor and moves past them.
	Next(ctx context.Context, limit int) ([]Event, error)
	// Cursor is the id of the last event Next returned (or the start).
	Cursor() int64
	// Holding reports whether events wait behind a missing id, so that the
	// caller looks again soon rather than at its next poll.
	Holding() bool
}

// EventFilter selects events. Type and Subject match exactly, or as a
// prefix when they end in "*" ("image.rollout_*").
type EventFilter struct {
	Type    string
	Subject string
	After   int64 // only ids above; the page then starts right after it
	Before  int64 // only ids below (0: no bound)
	Limit   int
}

// Matches reports whether e passes the type and subject parts of f.
func (f EventFilter) Matches(e Event) bool {
	return matchPattern(f.Type, e.Type) && matchPattern(f.Subject, e.Subject)
}

func matchPattern(pattern, s string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(s, prefix)
	}
	return pattern == "" || pattern == s
}
