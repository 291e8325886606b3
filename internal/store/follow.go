package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// On PostgreSQL an event's id is taken when it is inserted, not when its
// transaction commits, so event 8 may be visible while event 7 is still on
// its way. A follower holds back what comes after a missing id until the id
// shows up or is known to be lost (its transaction rolled back):
//   - gapSettle after the gap was first seen, the follower notes the newest
//     transaction id the database has handed out; once every transaction
//     up to it has ended, nothing can fill the gap any more;
//   - gapTimeout is the backstop: no transaction of ours outlives txTimeout.
//
// SQLite has one writer, and a rolled-back id is reused, so ids appear in order.
const (
	gapSettle  = 250 * time.Millisecond
	gapTimeout = txTimeout + 5*time.Second
)

// Follower reads the events table in id order, each event once and none
// skipped, for a stream or a worker that must not miss one.
type Follower struct {
	db    *DB
	after int64
	gaps  map[int64]gap // by the first missing id
}

type gap struct {
	seen time.Time
	xmax uint64 // transactions below this were running or done when noted; 0 until noted
}

// Follow returns a follower that starts after event id after.
func (db *DB) Follow(after int64) airlock.EventFollower {
	return &Follower{db: db, after: after, gaps: map[int64]gap{}}
}

// Cursor is the id of the last event Next returned (or the start).
func (f *Follower) Cursor() int64 { return f.after }

// Holding reports whether events are held back behind a missing id, so
// that the caller looks again soon rather than at its next poll.
func (f *Follower) Holding() bool { return len(f.gaps) > 0 }

// Next returns up to limit events after the cursor and moves past them.
func (f *Follower) Next(ctx context.Context, limit int) ([]airlock.Event, error) {
	evs, err := f.db.EventsAfter(ctx, f.after, limit)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	if f.db.Engine != Postgres {
		f.after = evs[len(evs)-1].ID
		return evs, nil
	}
	f.noteGaps(evs)
	var snap *snapshot
	n := 0
	for _, e := range evs {
		if e.ID > f.after+1 {
			closed, err := f.gapClosed(ctx, f.after+1, &snap)
			if err != nil {
				return evs[:n], err
			}
			if !closed {
				break
			}
			delete(f.gaps, f.after+1)
		}
		f.after = e.ID
		n++
	}
	for id := range f.gaps {
		if id <= f.after {
			delete(f.gaps, id)
		}
	}
	return evs[:n], nil
}

// noteGaps notes when each gap among evs was first seen, so that a batch
// with many lost ids (a replay over history) settles them all at once.
func (f *Follower) noteGaps(evs []airlock.Event) {
	now, prev := time.Now(), f.after
	for _, e := range evs {
		if _, ok := f.gaps[prev+1]; e.ID > prev+1 && !ok {
			f.gaps[prev+1] = gap{seen: now}
		}
		prev = e.ID
	}
}

// gapClosed reports whether the missing ids from id on can no longer appear.
func (f *Follower) gapClosed(ctx context.Context, id int64, snap **snapshot) (bool, error) {
	now := time.Now()
	g, ok := f.gaps[id]
	switch {
	case !ok:
		f.gaps[id] = gap{seen: now}
		return false, nil
	case now.Sub(g.seen) >= gapTimeout:
		return true, nil
	case now.Sub(g.seen) < gapSettle:
		return false, nil
	}
	if *snap == nil {
		s, err := f.db.snapshot(ctx)
		if err != nil {
			return false, err
		}
		*snap = &s
	}
	if g.xmax == 0 {
		f.noteXmax(now, (*snap).xmax)
		return false, nil
	}
	return (*snap).xmin >= g.xmax, nil
}

// snapshot is the span of transaction ids PostgreSQL sees right now: every
// transaction below xmin has ended; xmax is the next id it will hand out.
type snapshot struct{ xmin, xmax uint64 }

func (db *DB) snapshot(ctx context.Context) (snapshot, error) {
	var xmin, xmax string
	err := db.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text, pg_snapshot_xmax(pg_current_snapshot())::text`).Scan(&xmin, &xmax)
	if err != nil {
		return snapshot{}, WrapErr(fmt.Errorf("transaction snapshot: %w", err))
	}
	var s snapshot
	if s.xmin, err = strconv.ParseUint(xmin, 10, 64); err == nil {
		s.xmax, err = strconv.ParseUint(xmax, 10, 64)
	}
	return s, err
}

// noteXmax notes xmax for every gap seen gapSettle ago or more: a
// transaction that took one of their ids has had its xid for that long.
func (f *Follower) noteXmax(now time.Time, xmax uint64) {
	for id, g := range f.gaps {
		if g.xmax == 0 && now.Sub(g.seen) >= gapSettle {
			g.xmax = xmax
			f.gaps[id] = g
		}
	}
}
