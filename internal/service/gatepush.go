package service

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// pushResult is the answer to one push.
type pushResult struct {
	refused bool
	outcome string
	body    map[string]any
}

// gatePush records one push, looks up what the catalogue holds for it, lets
// the gate decide, and writes what the decision calls for.
func (s *Service) gatePush(ctx context.Context, tx *store.Tx, p webhook.Push) (pushResult, error) {
	ref := p.Ref
	subject := "image/" + ref.Repository()
	err := tx.AddEvent(ctx, "image.webhook_received", subject, map[string]any{
		"source": p.Source, "image": ref.Repository(), "tag": ref.Tag, "digest": ref.Digest,
		"delivery_id": p.DeliveryID, "pusher": p.Pusher})
	if err != nil {
		return pushResult{}, err
	}
	in, img, err := s.gateInput(ctx, tx, p)
	if err != nil {
		return pushResult{}, err
	}
	dec := gate.Decide(in)
	if dec.RequestApproval {
		s.Log.WarnContext(ctx, "[Webhook] Image not found in approved registry: "+in.Image, "image", ref.Repository(), "tag", ref.Tag)
		if _, _, err := tx.RequestApproval(ctx, airlock.ApprovalRequest{Registry: ref.Registry, Namespace: ref.Namespace,
			ImageName: ref.Name, Tag: ref.Tag, Source: p.Source}); err != nil {
			return pushResult{}, err
		}
	}
	if !dec.Allowed {
		s.Log.WarnContext(ctx, "[Webhook] Deployment refused: "+dec.Err.Message, "image", ref.Repository(), "tag", ref.Tag,
			"outcome", dec.Outcome.String())
		return pushResult{refused: true, outcome: dec.Outcome.String(), body: dec.Err.Body()},
			tx.AddEvent(ctx, "image.webhook_rejected", subject, map[string]any{"image": ref.Repository(), "tag": ref.Tag,
				"digest": ref.Digest, "outcome": dec.Outcome.String(), "reason": dec.Err.Message})
	}
	added := false
	if dec.AddTag {
		if added, err = s.autoAddTag(ctx, tx, img, p); err != nil {
			return pushResult{}, err
		}
	}
	return s.allow(ctx, tx, p, dec, added)
}

// gateInput reads what the catalogue holds for a push.
func (s *Service) gateInput(ctx context.Context, tx *store.Tx, p webhook.Push) (gate.Input, airlock.Image, error) {
	ref := p.Ref
	in := gate.Input{Image: ref.Familiar(), Tag: ref.Tag, Internal: s.Internal.Match(ref)}
	if in.Internal {
		return in, airlock.Image{}, nil
	}
	s.Log.InfoContext(ctx, "[Webhook] Checking approval status for public image: "+in.Image, "image", ref.Repository())
	img, err := tx.ImageByName(ctx, ref.Registry, ref.Namespace, ref.Name)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return in, img, nil
	}
	if err != nil {
		return in, img, err
	}
	in.Found, in.Status = true, img.ApprovalStatus
	tag, err := tx.TagByName(ctx, img.ID, ref.Tag)
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
func (s *Service) autoAddTag(ctx context.Context, tx *store.Tx, img airlock.Image, p webhook.Push) (bool, error) {
	s.Log.WarnContext(ctx, "[Webhook] Tag not found in approved list: "+p.Ref.Tag, "image", p.Ref.Repository())
	_, err := tx.CreateTag(ctx, airlock.Tag{ImageID: img.ID, Tag: p.Ref.Tag, Digest: p.Ref.Digest, Source: airlock.SourceWebhook})
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
func (s *Service) allow(ctx context.Context, tx *store.Tx, p webhook.Push, dec gate.Decision, tagAdded bool) (pushResult, error) {
	ref := p.Ref
	s.Log.InfoContext(ctx, fmt.Sprintf("[Webhook] Image approved for deployment: %s:%s", ref.Familiar(), ref.Tag),
		"outcome", dec.Outcome.String())
	rollout, reason, err := s.rolloutForPush(ctx, tx, ref)
	if err != nil {
		return pushResult{}, err
	}
	body := map[string]any{"message": "Image approved for deployment", "image": ref.Familiar(), "reference": ref.String(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": dec.Outcome.String(), "internal": dec.Outcome == gate.Internal,
		"tag_added": tagAdded, "rollout": rollout}
	if reason != "" {
		body["reason"] = reason
	}
	err = tx.AddEvent(ctx, "image.webhook_approved", "image/"+ref.Repository(), map[string]any{"image": ref.Repository(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": dec.Outcome.String(), "tag_added": tagAdded, "rollout_reason": reason})
	return pushResult{outcome: dec.Outcome.String(), body: body}, err
}
