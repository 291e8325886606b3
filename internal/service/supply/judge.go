package supply

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/store"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// PrejudgeWait is the most a webhook waits for the evidence of its pushes.
const PrejudgeWait = 3 * time.Second

// Judge runs the rules for releases: evidence is gathered outside any
// transaction, then the releases' Reconsider acts on the outcome.
type Judge struct {
	Checker  *Checker
	Releases releases.Releases
}

// Prejudge works out, before the intake's transaction, the outcome of
// each push some enforce rule concerns, within PrejudgeWait. The rules are
// read once for the lot; a push no rule concerns is recorded as such, so
// that the transaction reads them no more.
func (j Judge) Prejudge(ctx context.Context, pushes []webhook.Push) context.Context {
	all, err := supplydb.Rules(ctx, j.Checker.DB)
	if err != nil {
		return ctx // the transaction's hook reads them and holds what they concern
	}
	rels := make([]release.Release, len(pushes))
	for i, p := range pushes {
		rels[i] = PushRelease(p)
	}
	return j.prejudge(ctx, all, rels)
}

func (j Judge) prejudge(ctx context.Context, all []rules.Rule, rels []release.Release) context.Context {
	o := Outcomes{}
	wait, cancel := context.WithTimeout(ctx, PrejudgeWait)
	defer cancel()
	for _, r := range rels {
		if len(Enforcing(all, r)) == 0 {
			o.Add(r, rules.Outcome{})
			continue
		}
		if out, err := j.Checker.Evaluate(wait, r); err == nil {
			o.Add(r, out)
		}
	}
	return WithOutcomes(ctx, o)
}

// PushRelease is the release a push would record, as rules see it.
func PushRelease(p webhook.Push) release.Release {
	at := p.PushedAt
	if at.IsZero() {
		at = time.Now()
	}
	return release.Release{Registry: p.Ref.Registry, Namespace: p.Ref.Namespace, Name: p.Ref.Name, Tag: p.Ref.Tag,
		Digest: p.Ref.Digest, Pinned: p.Ref.Digest != "", PushedAt: at, Pusher: p.Pusher}
}

// Refusal is the outcome worked out for a push when it refuses: the gate
// then answers naming the rule. A hold is no refusal: the release is
// recorded and waits.
func Refusal(ctx context.Context, p webhook.Push) *rules.Outcome {
	if out, ok := OutcomeOf(ctx, PushRelease(p)); ok && out.Status == rules.Refused {
		return &out
	}
	return nil
}

// Reconsider evaluates release id's rules, then reconsiders it.
func (j Judge) Reconsider(ctx context.Context, actor string, id int64) (releases.Outcome, error) {
	rec, err := releasedb.Get(ctx, j.Releases.DB, id)
	if err != nil {
		return releases.Outcome{}, err
	}
	all, err := supplydb.Rules(ctx, j.Checker.DB)
	if err != nil {
		return releases.Outcome{}, err
	}
	return j.Releases.Reconsider(j.prejudge(ctx, all, []release.Release{rec.Release}), actor, id)
}

// Reevaluate reconsiders the releases held by rules whose digest is
// digest, or every such release when digest is "": evidence arrived, or
// time passed.
func (j Judge) Reevaluate(ctx context.Context, digest string) error {
	held, _, err := releasedb.List(ctx, j.Releases.DB, releasedb.Filter{Status: string(release.StatusHeld), Limit: 200})
	if err != nil {
		return err
	}
	for _, rec := range held {
		if rec.Hold != release.HoldRules || (digest != "" && rec.Digest != digest) {
			continue
		}
		if _, err := j.Reconsider(ctx, "rules", rec.ID); err != nil && ctx.Err() == nil {
			j.Releases.Log.WarnContext(ctx, "re-evaluating a held release", "release", rec.ID, "err", err)
		}
	}
	return ctx.Err()
}

// Approved deploys, when the approver asked for it, what the approved
// request was raised for: the held releases of its image (of its digest
// when it names one) or, when its push was refused and so recorded
// nothing, a release made from the request, through the gate like a push.
func (j Judge) Approved(ctx context.Context, req airlock.ApprovalRequest, deploy bool) {
	if !deploy {
		return
	}
	ids, err := j.heldFor(ctx, req)
	if err == nil && len(ids) == 0 {
		ids, err = j.record(ctx, req)
	}
	if err != nil {
		j.Releases.Log.WarnContext(ctx, "deploying an approved request", "request", req.ID, "err", err)
	}
	for _, id := range ids {
		if _, err := j.Reconsider(ctx, "approval-request", id); err != nil {
			j.Releases.Log.WarnContext(ctx, "deploying an approved release", "release", id, "err", err)
		}
	}
}

func (j Judge) heldFor(ctx context.Context, req airlock.ApprovalRequest) ([]int64, error) {
	held, _, err := releasedb.List(ctx, j.Releases.DB, releasedb.Filter{Status: string(release.StatusHeld), Limit: 200})
	var ids []int64
	for _, rec := range held {
		r := rec.Release
		if r.Registry == req.Registry && r.Namespace == req.Namespace && r.Name == req.ImageName &&
			(req.Digest == "" || r.Digest == req.Digest) {
			ids = append(ids, rec.ID)
		}
	}
	return ids, err
}

// record makes the release of a request whose push was refused, resolving
// it when the registry must tell its content.
func (j Judge) record(ctx context.Context, req airlock.ApprovalRequest) ([]int64, error) {
	var out releases.Outcome
	err := j.Releases.DB.InTx(ctx, "approval-request", func(tx *store.Tx) error {
		var err error
		out, err = j.Releases.Push(ctx, tx, release.Push{Registry: req.Registry, Namespace: req.Namespace,
			Name: req.ImageName, Tag: req.Tag, Digest: req.Digest, Source: release.SourceManual, Pusher: req.Pusher})
		return err
	})
	if err != nil || out.Release.ID == 0 {
		return nil, err
	}
	if out.Release.Status == release.StatusResolving {
		if out, err = j.Releases.ResolveAfterPush(ctx, out.Release.ID); err != nil {
			return nil, err
		}
	}
	return []int64{out.Release.ID}, nil
}

// PrejudgeRefs works out, before a manual rollout's or a target-state
// write's transaction, the outcome of each image some enforce rule
// concerns. Manual paths have no push time: a release recorded for the
// content gives it, else now.
func (j Judge) PrejudgeRefs(ctx context.Context, refs ...imageref.Ref) context.Context {
	all, err := supplydb.Rules(ctx, j.Checker.DB)
	if err != nil {
		return ctx
	}
	rels := make([]release.Release, 0, len(refs))
	for _, ref := range refs {
		r := PushRelease(webhook.Push{Ref: ref})
		if len(Enforcing(all, r)) > 0 { // only then is its push time worth a read
			recs, _, err := releasedb.List(ctx, j.Releases.DB, releasedb.Filter{Image: ref.Repository(), Tag: ref.Tag, Limit: 20})
			for _, rec := range recs {
				if err == nil && (ref.Digest == "" || rec.Digest == ref.Digest) {
					r.PushedAt, r.Pusher = rec.PushedAt, rec.Pusher
					break
				}
			}
		}
		rels = append(rels, r)
	}
	return j.prejudge(ctx, all, rels)
}

// Manual is the outcome worked out for an image a person asks to deploy:
// there, a hold refuses too, as nothing would wait for the evidence.
func Manual(ctx context.Context, ref imageref.Ref) *rules.Outcome {
	if out, ok := OutcomeOf(ctx, PushRelease(webhook.Push{Ref: ref})); ok && out.Status != "" {
		return &out
	}
	return nil
}
