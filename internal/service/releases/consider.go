package releases

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Reconsider re-runs the gate and every later decision for stored release
// id, in one transaction, and starts its rollout when they allow it. The
// resolver calls it once a release's content is known; supply-chain rules
// re-evaluating a held release, approve-and-deploy and clearing known-bad
// content are to call it too.
func (s Releases) Reconsider(ctx context.Context, actor string, id int64) (Outcome, error) {
	var out Outcome
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		r, err := lockRelease(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = s.consider(ctx, tx, r, "", true)
		return err
	})
	return out, err
}

// consider decides whether a release rolls out: it must be ready, pass the
// gate (regate: ask it again), the rules hook, a policy, forward-only and
// platforms; then the rollout is created over the devices that can run it.
// What was decided is stored with the release.
func (s Releases) consider(ctx context.Context, tx *store.Tx, r release.Release, action release.Action, regate bool) (Outcome, error) {
	dec := Decision{Action: action, DecidedAt: tx.Now()}
	out, err := s.decide(ctx, tx, r, regate, &dec)
	if err != nil {
		return out, err
	}
	dec.Reason = out.Reason
	if out.Rollout != nil {
		dec.RolloutID = &out.Rollout.ID
	}
	if err := releasedb.SetDecision(ctx, tx, out.Release.ID, dec, dec.RolloutID); err != nil {
		return out, err
	}
	return out, tx.AddEvent(ctx, "release.decided", releasedb.Subject(out.Release.ID),
		map[string]any{"release": out.Release, "decision": dec})
}

func (s Releases) decide(ctx context.Context, tx *store.Tx, r release.Release, regate bool, dec *Decision) (Outcome, error) {
	out := Outcome{Release: r}
	// A release the rules hold goes on to the rules again: they may let it go now.
	if ok, why := r.Rollable(); !ok && (r.Status != release.StatusHeld || r.Hold != release.HoldRules) {
		out.Reason = why
		return out, nil
	}
	ref := r.Ref()
	if regate && s.Gate != nil {
		g, err := s.Gate(ctx, tx, ref)
		if err != nil || !g.Allowed {
			dec.Gate = g.Outcome.String()
			if err == nil {
				out.Reason = g.Err.Message
			}
			return out, err
		}
	}
	r, err := s.applyRules(ctx, tx, r, dec)
	if out.Release = r; err != nil || r.Status != release.StatusReady {
		out.Reason = r.Reason
		return out, err
	}
	p, reason, err := s.Engine.Select(ctx, tx, ref)
	if err != nil || reason != "" {
		out.Reason = reason
		return out, err
	}
	dec.PolicyID = &p.ID
	return s.rollOut(ctx, tx, r, p, dec)
}

// applyRules consults the rules hook: nil, or no outcome, allows.
func (s Releases) applyRules(ctx context.Context, tx *store.Tx, r release.Release, dec *Decision) (release.Release, error) {
	if s.Rules == nil {
		return r, nil
	}
	o, err := s.Rules(ctx, tx, r)
	if err != nil || o == nil {
		return r, err
	}
	dec.Rules = o
	next := release.FromRules(r, *o)
	if next.Status == r.Status && next.Hold == r.Hold && next.Reason == r.Reason {
		return r, nil
	}
	return releasedb.Update(ctx, tx, next)
}

// rollOut checks the release against the devices of policy p: forward
// only, then platforms, and creates the rollout over those that can run it.
func (s Releases) rollOut(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy, dec *Decision) (Outcome, error) {
	out := Outcome{Release: r}
	f, err := s.readFleet(ctx, tx, r, p)
	if err != nil {
		return out, err
	}
	dir := release.Forward(r, f.running, release.ForwardOptions{Aliases: f.aliases, AllowDowngrade: p.AllowDowngrade})
	dec.Direction = &dir
	if !dir.Allowed {
		out.Reason = "not rolled out: " + dir.Reason
		return out, nil
	}
	el := f.eligibility(r, p.RequireAllPlatforms)
	dec.Platforms = &el
	if el.Hold {
		out.Release, err = releasedb.Update(ctx, tx, release.Held(r, release.HoldPlatforms, el.Reason))
		out.Reason = el.Reason
		return out, err
	}
	if out.Reason = narrowPolicy(&p, r, el); out.Reason != "" {
		return out, nil
	}
	if held, err := s.holdForCost(ctx, tx, r, p, f, el, &out); held || err != nil {
		return out, err
	}
	eng := s.Engine
	if out.Release, eng.DeviceRef, err = s.viaMirror(ctx, tx, r, p); err != nil || out.Release.Status != release.StatusReady {
		out.Reason = out.Release.Reason
		return out, err
	}
	ro, reason, err := eng.Create(ctx, tx, r.Ref(), p, &p.ID, tx.Actor)
	out.Rollout, out.Reason = ro, reason
	if err != nil || ro == nil || reason != "" {
		return out, err
	}
	return out, releasedb.InsertSkipped(ctx, tx, ro.ID, ro.Image, f.skippedApps(el.Skipped))
}

// holdForCost holds r for an approver when the Cost hook finds the
// rollout over policy p's limits.
func (s Releases) holdForCost(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy, f fleetView, el release.Eligibility, out *Outcome) (bool, error) {
	if s.Cost == nil || f.large { // large: the policy has no cost limits (largeFleet)
		return false, nil
	}
	platforms := map[string]string{}
	for _, t := range f.targets {
		platforms[t.UUID] = t.Platform
	}
	var devices []CostDevice
	for _, e := range el.Eligible {
		for _, a := range f.apps[e.UUID] {
			devices = append(devices, CostDevice{UUID: e.UUID, Platform: platforms[e.UUID], Previous: a.Image, Labels: a.Labels})
		}
	}
	reason, err := s.Cost(ctx, tx, r, p.ID, devices)
	if err != nil || reason == "" {
		return false, err
	}
	out.Release, err = releasedb.Update(ctx, tx, release.Held(r, release.HoldCost, reason))
	out.Reason = reason
	return true, err
}

// eligibility splits f's targets by platform; over a large fleet, it
// counts them by platform, and the rollout's planner skips the devices.
func (f fleetView) eligibility(r release.Release, requireAll bool) release.Eligibility {
	if f.large {
		return release.PlatformsByCount(r.Platforms, f.counts, requireAll)
	}
	return eligibility(r, f.targets, requireAll)
}

// narrowPolicy cuts p's devices to those that can run r, or says why
// none can.
func narrowPolicy(p *airlock.Policy, r release.Release, el release.Eligibility) string {
	switch {
	case len(el.Skipped) > 0:
		p.DeviceFilter.UUIDs = narrow(p.DeviceFilter.UUIDs, el.Eligible)
		if len(p.DeviceFilter.UUIDs) == 0 {
			return fmt.Sprintf("no device can run %s: %s", r.Reference(), el.Skipped[0].Reason)
		}
	case el.SkippedDevices > 0 && el.EligibleDevices == 0:
		return fmt.Sprintf("no device can run %s: %s", r.Reference(), el.FirstSkip)
	}
	return ""
}

// eligibility splits the targets by platform. A device that never said its
// platform keeps getting updates, as before platforms were known: only a
// known platform the image lacks (or one that is not valid) skips it.
func eligibility(r release.Release, targets []release.Target, requireAll bool) release.Eligibility {
	var known, unknown []release.Target
	for _, t := range targets {
		if t.Platform == "" {
			unknown = append(unknown, t)
		} else {
			known = append(known, t)
		}
	}
	el := release.Platforms(r.Platforms, known, requireAll)
	for _, t := range unknown {
		el.Eligible = append(el.Eligible, release.Eligible{UUID: t.UUID, Index: -1})
	}
	return el
}

// narrow is the policy's device list cut to the eligible devices.
func narrow(uuids []string, eligible []release.Eligible) []string {
	allowed := map[string]bool{}
	for _, u := range uuids {
		allowed[u] = true
	}
	out := []string{}
	for _, e := range eligible {
		if len(uuids) == 0 || allowed[e.UUID] {
			out = append(out, e.UUID)
		}
	}
	return out
}

// lockRelease locks the repository of release id, then the release: the
// order Push takes them in.
func lockRelease(ctx context.Context, tx *store.Tx, id int64) (release.Release, error) {
	rec, err := releasedb.Get(ctx, tx, id)
	if err != nil {
		return release.Release{}, err
	}
	if err := rolloutdb.LockRepository(ctx, tx, rec.Repository()); err != nil {
		return release.Release{}, err
	}
	return releasedb.ForUpdate(ctx, tx, id)
}
