package events

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Log is the events table as the hub reads it. The store satisfies it; the
// hub needs nothing else of the database.
type Log interface {
	// OnCommit registers fn to be told of each commit's events on the
	// committing goroutine.
	OnCommit(fn func([]airlock.Event))
	LastEventID(ctx context.Context) (int64, error)
	Follow(after int64) airlock.EventFollower
	// SharesEvents reports whether replicas wake each other on commits
	// (PostgreSQL LISTEN/NOTIFY); when false, NotifyEvents and ListenEvents
	// are not called.
	SharesEvents() bool
	NotifyEvents(ctx context.Context, id int64) error
	ListenEvents(ctx context.Context, ready, wake func()) error
}
