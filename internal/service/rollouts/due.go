package rollouts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// reportSlack is how far before a step's own time reports still wake the
// rollout: a report is stamped with the server's clock before its
// transaction commits, so one stamped just before a step may be seen only
// after it. A report is then judged by one step too many, never missed.
const reportSlack = time.Minute

// maxSkip bounds how long the monitor leaves a rollout unstepped: a
// backstop for a change no mark records.
const maxSkip = time.Hour

// StepIfDue is the monitor's step of rollout r (locked by the caller): it
// runs Step only when something may have changed since the last one — a
// deadline it gave came (rollout.Progress.NextDue), a device in flight
// reported, a device was deleted, or the rollout's state (status, batch, policy knobs and
// windows, devices joined) is not the one judged — so that a tick over a
// rollout where nothing happened reads no device. It reports whether it
// stepped.
func (e Engine) StepIfDue(ctx context.Context, tx *store.Tx, r airlock.Rollout) (bool, error) {
	now := tx.Now()
	windows, err := liveWindows(ctx, tx, r)
	if err != nil {
		return false, err
	}
	st := StateOf(r, windows)
	key := stateKey(r, st)
	if skip, err := unchanged(ctx, tx, r.ID, key, now); err != nil || skip {
		return false, err
	}
	p, err := e.step(ctx, tx, r, st)
	if err != nil {
		return true, err
	}
	due := now.Add(maxSkip)
	if !p.NextDue.IsZero() && p.NextDue.Before(due) {
		due = p.NextDue
	}
	return true, rolloutdb.SetMonitorMark(ctx, tx, r.ID, rolloutdb.Mark{DueAt: due, JudgedAt: now, Key: key})
}

// unchanged reports whether rollout id, now in the state key names, needs
// no step: it was judged in that state, no deadline of it has come, the
// clock has not gone back, no device in flight reported since and none
// was deleted.
func unchanged(ctx context.Context, tx *store.Tx, id int64, key string, now time.Time) (bool, error) {
	m, err := rolloutdb.MonitorMark(ctx, tx, id)
	if err != nil || m.Key != key || m.JudgedAt.IsZero() || now.Before(m.JudgedAt) || !now.Before(m.DueAt) {
		return false, err
	}
	since := m.JudgedAt.Add(-reportSlack)
	if removed, err := rolloutdb.DevicesRemovedSince(ctx, tx, since); err != nil || removed {
		return false, err
	}
	reported, err := rolloutdb.ReportedSince(ctx, tx, id, since)
	return !reported, err
}

// stateKey names what a step of r judges of the rollout itself: the state
// Advance reads and the number of its devices, which grows as devices join.
func stateKey(r airlock.Rollout, st rollout.State) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%+v|%d", st, r.TotalDevices))
	return hex.EncodeToString(sum[:16])
}
