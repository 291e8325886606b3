package rollouts

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Step runs one monitor step of rollout r (locked by the caller) inside
// tx: rollout.Advance judges its devices from their reports, and what it
// decides is written here, the rules staying in internal/rollout.
func (e Engine) Step(ctx context.Context, tx *store.Tx, r airlock.Rollout) error {
	windows, err := liveWindows(ctx, tx, r)
	if err != nil {
		return err
	}
	_, err = e.step(ctx, tx, r, StateOf(r, windows))
	return err
}

// step is Step over the rollout's state st, returning what it decided.
func (e Engine) step(ctx context.Context, tx *store.Tx, r airlock.Rollout, st rollout.State) (rollout.Progress, error) {
	devices, err := Watch(ctx, tx, r)
	if err != nil {
		return rollout.Progress{}, err
	}
	p := rollout.Advance(st, devices, tx.Now())
	return p, e.apply(ctx, tx, r, devices, p)
}

// liveWindows are the maintenance windows of r's policy as they are now;
// the rollout's own copy when it has no policy any more.
func liveWindows(ctx context.Context, tx *store.Tx, r airlock.Rollout) ([]airlock.MaintenanceWindow, error) {
	if r.PolicyID == nil {
		return r.MaintenanceWindows, nil
	}
	t, ok, err := rolloutdb.PolicyTiming(ctx, tx, *r.PolicyID)
	if err != nil || !ok {
		return r.MaintenanceWindows, err
	}
	return t.MaintenanceWindows, nil
}

// apply writes a step: the devices' tracking and verdicts, the end of the
// batch, the rollout's release from a window, the next batch, the devices
// to start, then the rollout's own move.
func (e Engine) apply(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, p rollout.Progress) error {
	if err := e.record(ctx, tx, r, devices, p); err != nil {
		return err
	}
	var err error
	if p.BatchDone {
		if err = e.batchDone(ctx, tx, r, devices, p.Changes); err != nil {
			return err
		}
	}
	if p.Action == rollout.ActionRelease {
		if r, err = e.window(ctx, tx, r, rollout.StatusInProgress, "a maintenance window opened", nil); err != nil {
			return err
		}
	}
	if p.NextBatch {
		if r, err = rolloutdb.AdvanceBatch(ctx, tx, r.ID, r.CurrentBatch); err != nil {
			return err
		}
	}
	if len(p.Start) > 0 {
		if err := e.start(ctx, tx, r, p.Start); err != nil {
			return err
		}
	}
	return e.act(ctx, tx, r, p)
}

// act makes the rollout's own move.
func (e Engine) act(ctx context.Context, tx *store.Tx, r airlock.Rollout, p rollout.Progress) error {
	var err error
	switch p.Action {
	case rollout.ActionHold:
		_, err = e.window(ctx, tx, r, rollout.StatusWaitingForWindow, p.Reason, timePtr(p))
	case rollout.ActionComplete:
		_, err = e.Finish(ctx, tx, r, p.Action, "")
	case rollout.ActionCompleteWithFailures:
		_, err = e.Finish(ctx, tx, r, p.Action, "some devices failed or timed out, under the failure threshold")
	case rollout.ActionRollback, rollout.ActionFail:
		_, err = e.Finish(ctx, tx, r, p.Action, p.Reason)
	case rollout.ActionWait:
		if r.Status == rollout.StatusWaitingForWindow && !sameTime(r.NextWindowAt, timePtr(p)) {
			err = rolloutdb.SetNextWindow(ctx, tx, r.ID, timePtr(p))
		}
	}
	return err
}

// timePtr is when the next window opens, or nil for none.
func timePtr(p rollout.Progress) *time.Time {
	if p.NextOpening.IsZero() {
		return nil
	}
	t := p.NextOpening
	return &t
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// window moves r into or out of waiting for a maintenance window.
func (e Engine) window(ctx context.Context, tx *store.Tx, r airlock.Rollout, to, reason string, next *time.Time) (airlock.Rollout, error) {
	r, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: r.Status, To: to, Reason: reason})
	if err != nil {
		return r, err
	}
	if err := rolloutdb.SetNextWindow(ctx, tx, r.ID, next); err != nil {
		return r, err
	}
	r.NextWindowAt = next
	typ := "image.rollout_waiting_for_window"
	if to == rollout.StatusInProgress {
		typ = "image.rollout_window_opened"
	}
	e.Log.InfoContext(ctx, typ, "rollout_id", r.ID, "reason", reason)
	return r, Event(ctx, tx, typ, r, nil)
}

// record writes the devices' new tracking, sends the target again to each
// retried device, and writes an image.rollout_device_failed event for each
// device that failed or timed out, with its evidence.
func (e Engine) record(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, p rollout.Progress) error {
	if len(p.Changes) == 0 {
		return nil
	}
	batches := batchOf(devices)
	changes := make([]rolloutdb.Change, len(p.Changes))
	var retried []fleet.AppImage
	for i, c := range p.Changes {
		uuid, app := splitKey(c.UUID)
		changes[i] = rolloutdb.Change{DeviceUUID: uuid, App: app, Status: c.Status, Batch: batches[c.UUID], Track: c.Track}
		if c.Retry {
			retried = append(retried, fleet.AppImage{DeviceUUID: uuid, App: app, Image: r.Image, Repository: repository(r)})
		}
	}
	if err := rolloutdb.SaveTracking(ctx, tx, r.ID, r.Image, changes); err != nil {
		return err
	}
	if err := fleet.SetAppImages(ctx, tx, retried); err != nil {
		return err
	}
	for _, c := range p.Failed {
		uuid, app := splitKey(c.UUID)
		extra := map[string]any{"device_uuid": uuid, "app": app, "outcome": c.Status, "message": c.Track.Message,
			"exit_code": c.Track.ExitCode, "error": c.Track.Reason, "attempt": c.Track.Attempt}
		e.Log.InfoContext(ctx, "rollout device "+c.Status, "rollout_id", r.ID, "device", uuid, "app", app, "reason", c.Track.Reason)
		if err := Event(ctx, tx, "image.rollout_device_failed", r, extra); err != nil {
			return err
		}
	}
	return nil
}

// start tells the devices Advance started to update: each first attempt
// begins now.
func (e Engine) start(ctx context.Context, tx *store.Tx, r airlock.Rollout, start []rollout.Change) error {
	keys := make([][2]string, len(start))
	for i, c := range start {
		uuid, app := splitKey(c.UUID)
		keys[i] = [2]string{uuid, app}
	}
	devices, err := rolloutdb.StartDevices(ctx, tx, r.ID, keys, repository(r))
	if err != nil {
		return err
	}
	return e.launch(ctx, tx, r, devices)
}

// batchDone records that the current batch has no device pending or in
// flight any more.
func (e Engine) batchDone(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, changes []rollout.Change) error {
	marked, err := rolloutdb.MarkBatchDone(ctx, tx, r.ID, r.CurrentBatch)
	if err != nil || !marked {
		return err
	}
	after := map[string]string{}
	for _, c := range changes {
		after[c.UUID] = c.Status
	}
	counts := map[string]int{}
	for _, d := range devices {
		if d.Batch == r.CurrentBatch {
			status, ok := after[d.UUID]
			if !ok {
				status = d.Status
			}
			counts[status]++
		}
	}
	e.Log.InfoContext(ctx, "rollout batch completed", "rollout_id", r.ID, "batch", r.CurrentBatch, "of", r.TotalBatches)
	return Event(ctx, tx, "image.rollout_batch_completed", r, map[string]any{"batch": r.CurrentBatch, "counts": counts})
}

// SetStatus pauses or resumes a rollout. The monitor goes on judging the
// devices of a paused rollout; it starts no device until it is resumed.
func (e Engine) SetStatus(ctx context.Context, tx *store.Tx, r airlock.Rollout, to, reason string) error {
	r, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: r.Status, To: to, Reason: reason})
	if err != nil {
		return err
	}
	typ := map[string]string{rollout.StatusPaused: "image.rollout_paused", rollout.StatusInProgress: "image.rollout_resumed"}[to]
	e.Log.InfoContext(ctx, typ, "rollout_id", r.ID)
	return Event(ctx, tx, typ, r, nil)
}
