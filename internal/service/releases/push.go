package releases

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Push records a push the gate allowed as a release, in the caller's
// transaction, and when its content is known considers it for a rollout
// at once. A push whose content the registry must tell (no digest, or no
// platforms) waits as resolving: the caller resolves it after commit
// (Resolve), never inside the transaction. The same digest again is
// nothing new.
func (s Releases) Push(ctx context.Context, tx *store.Tx, p release.Push) (Outcome, error) {
	if p.PushedAt.IsZero() {
		p.PushedAt = tx.Now()
	}
	if release.ValidatePush(p) != nil {
		// What a sender says of the pusher and media type only informs:
		// drop it rather than refuse the push.
		p.Pusher, p.MediaType = "", ""
		if err := release.ValidatePush(p); err != nil {
			return Outcome{}, err
		}
	}
	probe := release.Release{Registry: p.Registry, Namespace: p.Namespace, Name: p.Name}
	if err := rolloutdb.LockRepository(ctx, tx, probe.Repository()); err != nil {
		return Outcome{}, err
	}
	h, err := s.history(ctx, tx, probe, p.Tag)
	if err != nil {
		return Outcome{}, err
	}
	d := release.Intake(p, h, tx.Now())
	if d.Action == release.ActionNone {
		return Outcome{Release: d.Release, Reason: d.Reason}, nil
	}
	r := s.settleAtIntake(d.Release, h, tx)
	if r.Status == release.StatusResolving && r.Attempts == 0 {
		// The caller resolves it right after commit; the resolver steps in
		// only if that does not finish in time.
		r.NextAttemptAt = tx.Now().Add(s.resolveWait())
	}
	if d.Action == release.ActionUpdate {
		r, err = releasedb.Update(ctx, tx, r)
	} else {
		r, err = releasedb.Insert(ctx, tx, r)
	}
	if err != nil {
		return Outcome{}, err
	}
	s.Log.InfoContext(ctx, "release recorded", "release_id", r.ID, "image", r.Repository(), "tag", r.Tag,
		"digest", r.Digest, "status", r.Status, "action", d.Action)
	if r.Status == release.StatusResolving {
		return Outcome{Release: r, Reason: r.Reason}, releasedb.SetDecision(ctx, tx, r.ID,
			Decision{Action: d.Action, Reason: r.Reason, DecidedAt: tx.Now()}, nil)
	}
	return s.consider(ctx, tx, r, d.Action, false)
}

// settleAtIntake decides, without asking the registry, what a registry
// that is never asked can tell: nothing. A release whose registry is asked
// and whose platforms are unknown waits as resolving; one whose registry
// is not asked (undeclared, resolution off) is ready by what the push said.
func (s Releases) settleAtIntake(r release.Release, h release.History, tx *store.Tx) release.Release {
	known := r.Digest != "" && len(r.Platforms) > 0
	if r.Status != release.StatusResolving && (known || r.Status != release.StatusReady) {
		return r
	}
	if s.canResolve(r.Registry) {
		if r.Status == release.StatusReady {
			r.Status, r.NextAttemptAt = release.StatusResolving, tx.Now()
			r.Reason = fmt.Sprintf("reading the platforms of %s", r.Digest)
		}
		return r
	}
	if r.Status == release.StatusReady {
		return r // pinned by the push's digest; its platforms are unknown
	}
	return release.ResolveFailed(r, release.Failure{Cause: "resolution on undeclared registries is off"}, h, tx.Now()).Release
}

func (s Releases) history(ctx context.Context, tx *store.Tx, r release.Release, tag string) (release.History, error) {
	rs, err := releasedb.History(ctx, tx, r.Registry, r.Namespace, r.Name, tag)
	return release.History{Releases: rs}, err
}
