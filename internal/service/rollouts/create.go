// Package rollouts creates, advances and ends rollouts: each step runs
// inside the caller's transaction and writes its events there.
package rollouts

import (
	"context"
	"fmt"
	"maps"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/settle"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Select returns the enabled policy that rolls ref out, or the reason no
// policy does.
func (e Engine) Select(ctx context.Context, tx *store.Tx, ref imageref.Ref) (airlock.Policy, string, error) {
	policies, err := rolloutdb.AllPolicies(ctx, tx)
	if err != nil {
		return airlock.Policy{}, "", err
	}
	set, err := policy.Compile(policies)
	if err != nil {
		e.Log.WarnContext(ctx, "skipping invalid policies", "err", err)
	}
	p, ok, why := set.Select(ref.Repository(), ref.Tag)
	if !ok {
		return p, noPolicyReason(why, p, ref), nil
	}
	return p, "", nil
}

func noPolicyReason(why policy.Reason, p airlock.Policy, ref imageref.Ref) string {
	switch why {
	case policy.Disabled:
		return fmt.Sprintf("policy %d (%s) matches %s but is disabled", p.ID, p.ImagePattern, ref.Familiar())
	case policy.ConstraintUnmet:
		return fmt.Sprintf("tag %s does not satisfy the tag_constraint %q of policy %d (%s)", ref.Tag, p.TagConstraint, p.ID, p.ImagePattern)
	}
	return fmt.Sprintf("no policy matches %s:%s", ref.Familiar(), ref.Tag)
}

// Create plans a rollout of ref with p's knobs over the devices that
// need it and, unless p is manual, starts it. It returns nil and the reason
// when no device needs it, and the existing rollout and a reason when the
// same image, tag and digest was rolled out before: however many deliveries
// race, there is one rollout per image. A new rollout supersedes the
// unfinished ones of its repository.
func (e Engine) Create(ctx context.Context, tx *store.Tx, ref imageref.Ref, p airlock.Policy,
	policyID *int64, trigger string) (*airlock.Rollout, string, error) {
	if err := rolloutdb.LockRepository(ctx, tx, ref.Repository()); err != nil {
		return nil, "", err
	}
	if why, err := knownBad(ctx, tx, KnownBadKey(ref.Digest, ref.String())); why != "" || err != nil {
		return nil, why, err
	}
	if e.StartAt != nil && e.EndAt != nil && !e.EndAt.After(*e.StartAt) {
		return nil, "", airlock.FieldErrorf("end_at", "must be after start_at")
	}
	key := airlock.Rollout{Registry: ref.Registry, Namespace: ref.Namespace, ImageName: ref.Name, Tag: ref.Tag, Digest: ref.Digest}
	existing, err := rolloutdb.RolloutByImage(ctx, tx, key)
	switch {
	case err == nil:
		return &existing, existsReason(existing), nil
	case airlock.ErrorCode(err) != airlock.ENOTFOUND:
		return nil, "", err
	}
	apps, err := fleet.TargetAppsAfter(ctx, tx, ref.Repository(), "", "", e.Plan.inlineMax()+1, len(p.DeviceFilter.Labels) > 0)
	if err != nil {
		return nil, "", err
	}
	if len(apps) > e.Plan.inlineMax() {
		return e.createPlanning(ctx, tx, key, ref, p, policyID, trigger)
	}
	targets := needing(apps, p.DeviceFilter, ref)
	if len(targets) == 0 {
		return nil, fmt.Sprintf("no devices need %s", ref), nil
	}
	r, devices := plan(key, e.target(ref), p, targets)
	r.PolicyID, r.Trigger, r.StartAt, r.EndAt = policyID, trigger, e.StartAt, e.EndAt
	first := launchFirst(r, devices)
	created, err := rolloutdb.CreateRollout(ctx, tx, r, devices)
	if err != nil {
		return nil, "", err
	}
	if err := e.created(ctx, tx, created); err != nil {
		return nil, "", err
	}
	if err := e.supersede(ctx, tx, created); err != nil {
		return nil, "", err
	}
	if r.UpdateStrategy != rollout.Manual {
		if created, err = e.Start(ctx, tx, created, "", first); err != nil {
			return nil, "", err
		}
	}
	return &created, "", nil
}

// launchesAtOnce reports whether r starts its first batch whole as it is
// planned: it is not manual, and no window, rate or span decides when.
func launchesAtOnce(r airlock.Rollout) bool {
	return r.UpdateStrategy != rollout.Manual && startsAtOnce(r.Timing) && r.StartAt == nil && r.EndAt == nil
}

// launchFirst marks the first batch's devices updating when r starts it at
// once, and returns them: a new rollout need not read back what it just
// wrote. Windows, a rate or a span leave the first batch to a monitor step.
func launchFirst(r airlock.Rollout, devices []airlock.RolloutDevice) []airlock.RolloutDevice {
	if !launchesAtOnce(r) {
		return nil
	}
	var first []airlock.RolloutDevice
	for i := range devices {
		if devices[i].Batch == 1 {
			devices[i].Status = rollout.DeviceUpdating
			first = append(first, devices[i])
		}
	}
	return first
}

// created logs and records a new rollout.
func (e Engine) created(ctx context.Context, tx *store.Tx, r airlock.Rollout) error {
	e.Log.InfoContext(ctx, "rollout created", "rollout_id", r.ID, "image", r.Image, "status", r.Status,
		"strategy", r.UpdateStrategy, "devices", r.TotalDevices, "batches", r.TotalBatches)
	return Event(ctx, tx, "image.rollout_created", r, nil)
}

// target is what devices are sent of ref: DeviceRef when set.
func (e Engine) target(ref imageref.Ref) string {
	if e.DeviceRef != "" {
		return e.DeviceRef
	}
	return ref.String()
}

func existsReason(r airlock.Rollout) string {
	return fmt.Sprintf("rollout %d already exists for %s (%s)", r.ID, r.Image, r.Status)
}

// needing keeps the apps that pass the filter and are not on ref already.
func needing(apps []fleet.TargetApp, filter airlock.DeviceSelector, ref imageref.Ref) []fleet.TargetApp {
	need := newNeed(filter, ref)
	var out []fleet.TargetApp
	for _, a := range apps {
		if need.ok(a) {
			out = append(out, a)
		}
	}
	return out
}

// need decides, one app at a time, whether an app needs ref: it passes
// the filter and is not on ref already (the same tag, and the same digest
// when the push names one). It parses each distinct image once.
type need struct {
	filter airlock.DeviceSelector
	ref    imageref.Ref
	parsed map[string]imageref.Ref
}

func newNeed(filter airlock.DeviceSelector, ref imageref.Ref) need {
	return need{filter: filter, ref: ref, parsed: map[string]imageref.Ref{}}
}

func (n need) ok(a fleet.TargetApp) bool {
	if !n.filter.Matches(a.DeviceUUID, a.Labels) {
		return false
	}
	cur, ok := n.parsed[a.Image]
	if !ok {
		if len(n.parsed) >= 4096 {
			clear(n.parsed) // a fleet on many images: memory stays bounded
		}
		cur, _ = imageref.Parse(a.Image)
		n.parsed[a.Image] = cur
	}
	return cur.Tag != n.ref.Tag || (n.ref.Digest != "" && cur.Digest != n.ref.Digest)
}

// plan lays the targets out in batches of whole devices, in the stable order
// TargetApps gives, and copies p's knobs into the rollout.
func plan(key airlock.Rollout, target string, p airlock.Policy, targets []fleet.TargetApp) (airlock.Rollout, []airlock.RolloutDevice) {
	var uuids []string
	for _, t := range targets {
		if len(uuids) == 0 || uuids[len(uuids)-1] != t.DeviceUUID {
			uuids = append(uuids, t.DeviceUUID)
		}
	}
	batches := rollout.Plan(uuids, p.UpdateStrategy, p.BatchSize, p.BatchPercent, p.CanarySize)
	batchOf := make(map[string]int, len(uuids))
	for i, b := range batches {
		for _, uuid := range b {
			batchOf[uuid] = i + 1
		}
	}
	devices := make([]airlock.RolloutDevice, len(targets))
	for i, t := range targets {
		devices[i] = airlock.RolloutDevice{DeviceUUID: t.DeviceUUID, App: t.App, Batch: batchOf[t.DeviceUUID],
			PreviousImage: t.Image, TargetImage: target, Status: rollout.DevicePending}
	}
	r := key
	r.Image = target
	r.UpdateStrategy, r.BatchSize, r.BatchPercent = p.UpdateStrategy, p.BatchSize, p.BatchPercent
	r.BatchDelaySeconds, r.CanarySize = p.BatchDelaySeconds, p.CanarySize
	r.HealthCheckTimeoutSeconds, r.FailureThresholdPercent = p.HealthCheckTimeoutSeconds, p.FailureThresholdPercent
	r.MinDevicesForThreshold, r.AutoRollback = p.MinDevicesForThreshold, p.AutoRollback
	r.Status, r.TotalBatches, r.TotalDevices = rollout.StatusPending, len(batches), len(devices)
	r.Timing = p.Timing
	return r, devices
}

// startsAtOnce reports whether a rollout with timing t may start its first
// batch whole as it is created: no window or rate decides when.
func startsAtOnce(t airlock.Timing) bool {
	return len(t.MaintenanceWindows) == 0 && t.MaxDevicesPerMinute == 0 && t.Ramp == (airlock.Ramp{})
}

// supersede ends the older unfinished rollouts of r's repository: their
// devices are settled, so only r updates them from now on: a small one's
// here, a large one's by the planner, so that the request stays short.
// It waits for their locks: a monitor step may hold one for seconds.
func (e Engine) supersede(ctx context.Context, tx *store.Tx, r airlock.Rollout) error {
	old, err := rolloutdb.SupersedeRollouts(ctx, tx, r.Registry, r.Namespace, r.ImageName, r.ID,
		fmt.Sprintf("superseded by rollout %d (%s)", r.ID, r.Image))
	if err != nil {
		return err
	}
	for _, o := range old {
		if err := settle.Superseded(ctx, tx, o, e.Plan.inlineMax()); err != nil {
			return err
		}
		e.Log.InfoContext(ctx, "rollout superseded", "rollout_id", o.ID, "by", r.ID)
		if err := Event(ctx, tx, "image.rollout_superseded", o, map[string]any{"superseded_by": r.ID}); err != nil {
			return err
		}
	}
	return nil
}

// Start moves a pending rollout to in progress and starts its first batch.
// first are that batch's devices when the caller has just inserted them
// updating; with nil, a monitor step starts them as windows and rate allow.
func (e Engine) Start(ctx context.Context, tx *store.Tx, r airlock.Rollout, reason string, first []airlock.RolloutDevice) (airlock.Rollout, error) {
	r, err := rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: r.Status, To: rollout.StatusInProgress, Reason: reason, Start: true})
	if err != nil {
		return r, err
	}
	if err := Event(ctx, tx, "image.rollout_started", r, nil); err != nil {
		return r, err
	}
	if first == nil {
		if err := e.Step(ctx, tx, r); err != nil {
			return r, err
		}
		return rolloutdb.RolloutForUpdate(ctx, tx, r.ID)
	}
	if r, err = rolloutdb.AdvanceBatch(ctx, tx, r.ID, 0); err != nil {
		return r, err
	}
	return r, e.launch(ctx, tx, r, first)
}

// launch gives the devices of the current batch the new image.
func (e Engine) launch(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []airlock.RolloutDevice) error {
	changes := make([]fleet.AppImage, len(devices))
	for i, d := range devices {
		changes[i] = fleet.AppImage{DeviceUUID: d.DeviceUUID, App: d.App, Image: d.TargetImage, Repository: repository(r)}
	}
	if err := fleet.SetAppImages(ctx, tx, changes); err != nil {
		return err
	}
	e.Log.InfoContext(ctx, "rollout batch started", "rollout_id", r.ID, "batch", r.CurrentBatch, "of", r.TotalBatches, "devices", len(devices))
	return Event(ctx, tx, "image.rollout_batch_started", r, map[string]any{"batch": r.CurrentBatch, "devices": len(devices)})
}

// repository is the normalised repository a rollout's image belongs to.
func repository(r airlock.Rollout) string {
	return imageref.Ref{Registry: r.Registry, Namespace: r.Namespace, Name: r.ImageName}.Repository()
}

// Event records a rollout event of type typ, with the rollout and extra
// fields as its payload.
func Event(ctx context.Context, tx *store.Tx, typ string, r airlock.Rollout, extra map[string]any) error {
	payload := map[string]any{"rollout_id": r.ID, "image": r.Image, "status": r.Status, "strategy": r.UpdateStrategy,
		"current_batch": r.CurrentBatch, "total_batches": r.TotalBatches, "total_devices": r.TotalDevices}
	if r.Reason != "" {
		payload["reason"] = r.Reason
	}
	maps.Copy(payload, extra)
	return tx.AddEvent(ctx, typ, fmt.Sprintf("rollout/%d", r.ID), payload)
}
