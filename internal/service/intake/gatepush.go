package intake

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/artifact"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// pushResult is the answer to one push. A push is refused, or allowed, or
// neither: an artifact is recorded and not deployed, which is no refusal.
type pushResult struct {
	allowed bool
	refused bool
	outcome string
	body    map[string]any
	pending int64 // the release left resolving, resolved after commit
}

// gatePush records one push, settles who vouches for its registry, tells
// artifacts apart, lets the gate decide, and writes what the decision calls
// for. A redecided push raises no second approval request.
func (s Intake) gatePush(ctx context.Context, tx *store.Tx, from webhook.Sender, p webhook.Push, redecide bool) (pushResult, error) {
	err := tx.AddEvent(ctx, "image.webhook_received", "image/"+p.Ref.Repository(), map[string]any{
		"source": p.Source, "image": p.Ref.Repository(), "tag": p.Ref.Tag, "digest": p.Ref.Digest,
		"delivery_id": p.DeliveryID, "pusher": p.Pusher, "sender": from.Key()})
	if err != nil {
		return pushResult{}, err
	}
	declared, err := s.declared(ctx, tx, p.Ref.Registry)
	if err != nil {
		return pushResult{}, err
	}
	p, trust := webhook.Vouch(from, p, declared)
	if trust == webhook.Mismatch {
		return s.mismatch(ctx, tx, from, p)
	}
	if v := artifact.Detect(p.Manifest); v.Artifact {
		return s.recordArtifact(ctx, tx, p, v, trust)
	}
	in, img, err := s.gateInput(ctx, tx, p)
	if err != nil {
		return pushResult{}, err
	}
	in.Unvouched, in.Host = trust == webhook.Unvouched, p.Ref.Registry
	if s.Refusal != nil {
		in.Rules = s.Refusal(ctx, p)
	}
	dec := gate.Decide(in)
	if dec.RequestApproval && !redecide {
		if err := s.requestApproval(ctx, tx, p, in.Image); err != nil {
			return pushResult{}, err
		}
	}
	if !dec.Allowed {
		return s.refuse(ctx, tx, p, dec)
	}
	added := false
	if dec.AddTag {
		if added, err = s.autoAddTag(ctx, tx, img, p); err != nil {
			return pushResult{}, err
		}
	}
	return s.allow(ctx, tx, p, dec, added)
}

// declared reports whether host is a spelling of a declared registry's host.
func (s Intake) declared(ctx context.Context, tx *store.Tx, host string) (bool, error) {
	_, err := catalog.RegistryByHost(ctx, tx, host)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// mismatch refuses a push that a registry's own secret sent for another
// host: the pusher chose that host, so it is never gated as that host.
func (s Intake) mismatch(ctx context.Context, tx *store.Tx, from webhook.Sender, p webhook.Push) (pushResult, error) {
	named := p.Ref.Registry
	s.Log.WarnContext(ctx, "[Webhook] Registry mismatch: the secret of "+from.Host+" sent a push naming "+named,
		"registry_id", from.RegistryID, "registry", from.Host, "named_host", named, "image", p.Ref.Repository(), "tag", p.Ref.Tag)
	err := tx.AddEvent(ctx, "image.registry_mismatch", fmt.Sprintf("registry/%d", from.RegistryID), map[string]any{
		"registry_id": from.RegistryID, "registry": from.Host, "named_host": named, "image": p.Ref.Repository(),
		"tag": p.Ref.Tag, "digest": p.Ref.Digest, "delivery_id": p.DeliveryID})
	body := map[string]any{"error": "Registry mismatch", "outcome": "registry_mismatch",
		"message":         fmt.Sprintf("This webhook's secret belongs to registry %s, but the push names %s", from.Host, named),
		"action_required": fmt.Sprintf("If %s is another name of %s, add it to the registry's aliases", named, from.Host)}
	return pushResult{refused: true, outcome: "registry_mismatch", body: body}, err
}

// recordArtifact records a pushed artifact as evidence, never as a tag,
// an approval request or a rollout.
func (s Intake) recordArtifact(ctx context.Context, tx *store.Tx, p webhook.Push, v artifact.Verdict, trust webhook.Trust) (pushResult, error) {
	ref := p.Ref
	s.Log.InfoContext(ctx, "[Webhook] Artifact recorded, not deployed: "+ref.String(), "kind", v.Kind, "reason", v.Reason)
	payload := map[string]any{"image": ref.Repository(), "tag": ref.Tag, "digest": ref.Digest, "kind": v.Kind,
		"reason": v.Reason, "media_type": p.Manifest.MediaType, "registry_verified": trust == webhook.Trusted}
	body := map[string]any{"message": "Artifact recorded; artifacts are never deployed", "image": ref.Familiar(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": "artifact", "artifact": v.Kind, "rollout": nil}
	if v.Subject != "" {
		payload["subject_digest"], body["subject_digest"] = v.Subject, v.Subject
	}
	err := tx.AddEvent(ctx, "image.artifact_received", "image/"+ref.Repository(), payload)
	return pushResult{outcome: "artifact", body: body}, err
}

func (s Intake) requestApproval(ctx context.Context, tx *store.Tx, p webhook.Push, image string) error {
	ref := p.Ref
	s.Log.WarnContext(ctx, "[Webhook] Image not found in approved registry: "+image, "image", ref.Repository(), "tag", ref.Tag)
	_, _, err := approvals.Raise(ctx, tx, airlock.ApprovalRequest{Registry: ref.Registry, Namespace: ref.Namespace,
		ImageName: ref.Name, Tag: ref.Tag, Source: p.Source, Pusher: p.Pusher, Digest: ref.Digest})
	return err
}

// refuse records a refused push.
func (s Intake) refuse(ctx context.Context, tx *store.Tx, p webhook.Push, dec gate.Decision) (pushResult, error) {
	ref := p.Ref
	s.Log.WarnContext(ctx, "[Webhook] Deployment refused: "+dec.Err.Message, "image", ref.Repository(), "tag", ref.Tag,
		"outcome", dec.Outcome.String())
	err := tx.AddEvent(ctx, "image.webhook_rejected", "image/"+ref.Repository(), map[string]any{"image": ref.Repository(),
		"tag": ref.Tag, "digest": ref.Digest, "outcome": dec.Outcome.String(), "reason": dec.Err.Message})
	body := dec.Err.Body()
	body["outcome"] = dec.Outcome.String()
	return pushResult{refused: true, outcome: dec.Outcome.String(), body: body}, err
}
