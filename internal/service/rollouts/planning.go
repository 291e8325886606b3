package rollouts

import (
	"context"
	"fmt"
	"math"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// createPlanning records a rollout too large to plan in the request: only
// its row, as planning, with the filter a Planner plans it by. The older
// rollouts of its repository are superseded by its first chunk, before it
// writes a target state: superseding one waits for its lock, which a
// monitor step over a large fleet holds for seconds.
func (e Engine) createPlanning(ctx context.Context, tx *store.Tx, key airlock.Rollout, ref imageref.Ref, p airlock.Policy,
	policyID *int64, trigger string) (*airlock.Rollout, string, error) {
	r, _ := plan(key, e.target(ref), p, nil)
	r.PolicyID, r.Trigger, r.StartAt, r.EndAt = policyID, trigger, e.StartAt, e.EndAt
	r.Status = rollout.StatusPlanning
	created, err := rolloutdb.CreateRollout(ctx, tx, r, nil)
	if err != nil {
		return nil, "", err
	}
	if err := rolloutdb.StartPlanning(ctx, tx, created.ID, p.DeviceFilter); err != nil {
		return nil, "", err
	}
	if err := e.created(ctx, tx, created); err != nil {
		return nil, "", err
	}
	return &created, "", nil
}

// pushed is the reference a rollout was created for: what needing compares
// each device's image with (its image may be a mirror's copy).
func pushed(r airlock.Rollout) imageref.Ref {
	return imageref.Ref{Registry: r.Registry, Namespace: r.Namespace, Name: r.ImageName, Tag: r.Tag, Digest: r.Digest}
}

// fleetSize is the n that rollout.BatchOf sizes r's batches by: the count
// when its batches depend on it, else unbounded (only the count caps).
func fleetSize(r airlock.Rollout, st rolloutdb.PlanState) int {
	if st.Estimated != nil && rollout.NeedsCount(r.UpdateStrategy, r.BatchSize, r.BatchPercent) {
		return *st.Estimated
	}
	return math.MaxInt
}

// planChunk plans the next chunk of r's target apps after st's cursor, in
// the caller's transaction over r's locked row (the first chunk first
// supersedes the older rollouts of r's repository): inserts its devices with
// their batch, gives batch one's devices the image when r starts at once,
// and moves the cursor on. It reports whether r is still planning.
func (e Engine) planChunk(ctx context.Context, tx *store.Tx, r airlock.Rollout, st *rolloutdb.PlanState) (bool, error) {
	if st.CursorUUID == "" && st.CursorApp == "" {
		if err := e.supersede(ctx, tx, r); err != nil {
			return false, err
		}
	}
	chunk := e.Plan.chunk()
	apps, err := fleet.TargetAppsAfter(ctx, tx, repository(r), st.CursorUUID, st.CursorApp, chunk, len(st.Filter.Labels) > 0)
	if err != nil {
		return false, err
	}
	more := len(apps) == chunk
	if more {
		apps = wholeDevices(apps)
	}
	keep, err := releasedb.SkipLacking(ctx, tx, r.ID, r.Image, apps, newNeed(st.Filter, pushed(r)).ok)
	if err != nil {
		return false, err
	}
	devices, changes := e.layOut(r, st, keep)
	if err := rolloutdb.AddPlannedDevices(ctx, tx, r.ID, devices); err != nil {
		return false, err
	}
	if err := fleet.SetAppImages(ctx, tx, changes); err != nil {
		return false, err
	}
	st.Launched += len(changes)
	if len(apps) > 0 {
		st.CursorUUID, st.CursorApp = apps[len(apps)-1].DeviceUUID, apps[len(apps)-1].App
	}
	if err := rolloutdb.SavePlan(ctx, tx, r.ID, *st); err != nil {
		return false, err
	}
	if more {
		return true, nil
	}
	return false, e.planned(ctx, tx, r, *st)
}

// wholeDevices drops the apps of a full chunk's last device, which may go
// on in the next chunk: each device's apps are planned, and its target
// state written, in one chunk, so its version goes up once. A device with
// more apps than a chunk holds is planned over several.
func wholeDevices(apps []fleet.TargetApp) []fleet.TargetApp {
	last := apps[len(apps)-1].DeviceUUID
	i := len(apps)
	for i > 0 && apps[i-1].DeviceUUID == last {
		i--
	}
	if i == 0 {
		return apps
	}
	return apps[:i]
}

// layOut numbers the devices of apps that need r's image after those
// planned already, and says which of them batch one launches now.
func (e Engine) layOut(r airlock.Rollout, st *rolloutdb.PlanState, apps []fleet.TargetApp) ([]airlock.RolloutDevice, []fleet.AppImage) {
	need, n, launch := newNeed(st.Filter, pushed(r)), fleetSize(r, *st), launchesAtOnce(r)
	var devices []airlock.RolloutDevice
	var changes []fleet.AppImage
	for _, a := range apps {
		if !need.ok(a) {
			continue
		}
		if a.DeviceUUID != st.LastDevice {
			st.Planned, st.LastDevice = st.Planned+1, a.DeviceUUID
		}
		d := airlock.RolloutDevice{DeviceUUID: a.DeviceUUID, App: a.App, PreviousImage: a.Image, TargetImage: r.Image,
			Batch: rollout.BatchOf(st.Planned, n, r.UpdateStrategy, r.BatchSize, r.BatchPercent, r.CanarySize), Status: rollout.DevicePending}
		if launch && d.Batch == 1 {
			d.Status = rollout.DeviceUpdating
			changes = append(changes, fleet.AppImage{DeviceUUID: d.DeviceUUID, App: d.App, Image: d.TargetImage, Repository: repository(r)})
		}
		devices = append(devices, d)
	}
	return devices, changes
}

// planned ends r's planning: its totals are set and it moves on as a
// rollout created whole would have: pending when manual, else in progress,
// its first batch started (already given the image when r starts at once).
// When no device needed it, it completes with that reason.
func (e Engine) planned(ctx context.Context, tx *store.Tx, r airlock.Rollout, st rolloutdb.PlanState) error {
	if st.Planned == 0 {
		return e.nothingToPlan(ctx, tx, r)
	}
	n := fleetSize(r, st)
	batches := rollout.BatchOf(min(st.Planned, n), n, r.UpdateStrategy, r.BatchSize, r.BatchPercent, r.CanarySize)
	if err := rolloutdb.SetPlanned(ctx, tx, r.ID, batches); err != nil {
		return err
	}
	e.Log.InfoContext(ctx, "rollout planned", "rollout_id", r.ID, "devices", st.Planned, "batches", batches)
	switch {
	case r.UpdateStrategy == rollout.Manual:
		_, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: r.Status, To: rollout.StatusPending})
		return err
	case !launchesAtOnce(r):
		r.Status = rollout.StatusPlanning
		_, err := e.Start(ctx, tx, r, "", nil)
		return err
	}
	return e.startPlanned(ctx, tx, r, st.Launched)
}

// startPlanned starts r, whose first batch of launched apps was given the
// image while it was planned: what Start and launch record.
func (e Engine) startPlanned(ctx context.Context, tx *store.Tx, r airlock.Rollout, launched int) error {
	r, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: rollout.StatusPlanning, To: rollout.StatusInProgress, Start: true})
	if err != nil {
		return err
	}
	if err := Event(ctx, tx, "image.rollout_started", r, nil); err != nil {
		return err
	}
	if r, err = rolloutdb.AdvanceBatch(ctx, tx, r.ID, 0); err != nil {
		return err
	}
	e.Log.InfoContext(ctx, "rollout batch started", "rollout_id", r.ID, "batch", r.CurrentBatch, "of", r.TotalBatches, "devices", launched)
	return Event(ctx, tx, "image.rollout_batch_started", r, map[string]any{"batch": r.CurrentBatch, "devices": launched})
}

// nothingToPlan completes r, which no device turned out to need.
func (e Engine) nothingToPlan(ctx context.Context, tx *store.Tx, r airlock.Rollout) error {
	why := fmt.Sprintf("no devices need %s", pushed(r))
	r, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: rollout.StatusPlanning, To: rollout.StatusCompleted,
		Reason: why, Finish: true})
	if err != nil {
		return err
	}
	e.Log.InfoContext(ctx, "rollout planned empty", "rollout_id", r.ID, "reason", why)
	return Event(ctx, tx, "image.rollout_completed", r, nil)
}
