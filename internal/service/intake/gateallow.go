package intake

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// gateInput reads what the catalogue holds for a push.
func (s Intake) gateInput(ctx context.Context, tx *store.Tx, p webhook.Push) (gate.Input, airlock.Image, error) {
	if !s.Internal.Match(p.Ref) {
		s.Log.InfoContext(ctx, "[Webhook] Checking approval status for public image: "+p.Ref.Familiar(), "image", p.Ref.Repository())
	}
	return Catalogue(ctx, tx, s.Internal, p.Ref)
}

// Catalogue reads what the catalogue holds for ref, as the gate takes it;
// internal are the prefixes exempt from approval. Every path that can put
// an image on a device reads it here.
func Catalogue(ctx context.Context, tx *store.Tx, internal imageref.Prefixes, ref imageref.Ref) (gate.Input, airlock.Image, error) {
	in := gate.Input{Image: ref.Familiar(), Tag: ref.Tag, Internal: internal.Match(ref)}
	if in.Internal {
		return in, airlock.Image{}, nil
	}
	img, err := catalog.ImageByName(ctx, tx, ref.Registry, ref.Namespace, ref.Name)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return in, img, nil
	}
	if err != nil {
		return in, img, err
	}
	in.Found, in.Status, in.ReleaseScope = true, img.ApprovalStatus, img.ApprovalScope == airlock.ApprovalScopeRelease
	if in.ReleaseScope && ref.Digest != "" {
		if in.DigestApproved, err = supplydb.DigestApproved(ctx, tx, ref.Registry, ref.Namespace, ref.Name, ref.Digest); err != nil {
			return in, img, err
		}
	}
	if ref.Tag == "" {
		return in, img, nil
	}
	tag, err := catalog.TagByName(ctx, tx, img.ID, ref.Tag)
	switch {
	case err == nil:
		in.TagFound, in.TagDeprecated = true, tag.IsDeprecated
	case airlock.ErrorCode(err) != airlock.ENOTFOUND:
		return in, img, err
	}
	return in, img, nil
}

// autoAddTag adds a pushed tag of an approved image, not recommended, with
// source webhook. A concurrent push that added it first is no error.
func (s Intake) autoAddTag(ctx context.Context, tx *store.Tx, img airlock.Image, p webhook.Push) (bool, error) {
	s.Log.WarnContext(ctx, "[Webhook] Tag not found in approved list: "+p.Ref.Tag, "image", p.Ref.Repository())
	_, err := catalog.CreateTag(ctx, tx, airlock.Tag{ImageID: img.ID, Tag: p.Ref.Tag, Digest: p.Ref.Digest, Source: airlock.SourceWebhook})
	if airlock.ErrorCode(err) == airlock.ECONFLICT {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.Log.InfoContext(ctx, fmt.Sprintf("[Webhook] Auto-added tag %s to approved image %s", p.Ref.Tag, p.Ref.Familiar()))
	return true, nil
}

// allow records an allowed push and creates the rollout it calls for.
func (s Intake) allow(ctx context.Context, tx *store.Tx, p webhook.Push, dec gate.Decision, tagAdded bool) (pushResult, error) {
	ref := p.Ref
	s.Log.InfoContext(ctx, fmt.Sprintf("[Webhook] Image approved for deployment: %s:%s", ref.Familiar(), ref.Tag),
		"outcome", dec.Outcome.String())
	out, err := s.Releases.Push(ctx, tx, release.Push{Registry: ref.Registry, Namespace: ref.Namespace, Name: ref.Name,
		Tag: ref.Tag, Digest: ref.Digest, MediaType: p.Manifest.MediaType, PushedAt: p.PushedAt,
		Source: release.SourceWebhook, Pusher: p.Pusher})
	if err != nil {
		return pushResult{}, err
	}
	body := map[string]any{"message": "Image approved for deployment", "image": ref.Familiar(), "reference": ref.String(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": dec.Outcome.String(), "internal": dec.Outcome == gate.Internal,
		"tag_added": tagAdded}
	withRelease(body, out)
	err = tx.AddEvent(ctx, "image.webhook_approved", "image/"+ref.Repository(), map[string]any{"image": ref.Repository(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": dec.Outcome.String(), "tag_added": tagAdded,
		"rollout_reason": out.Reason, "release_id": out.Release.ID})
	r := pushResult{allowed: true, outcome: dec.Outcome.String(), body: body}
	if out.Pending() {
		r.pending = out.Release.ID
	}
	return r, err
}

// withRelease puts what became of a push's release in its answer: the
// release, the rollout it started (or the one that had it), and why not.
func withRelease(body map[string]any, out releases.Outcome) {
	body["release"], body["rollout"] = out.Release, out.Rollout
	delete(body, "reason")
	if out.Reason != "" {
		body["reason"] = out.Reason
	}
	if out.Release.Pinned {
		body["reference"], body["digest"] = out.Release.Reference(), out.Release.Digest
	}
}
