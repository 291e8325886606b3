package service

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// The catalogue governs running rollouts: what it stops allowing stops
// rolling out, in the transaction that changes it.

// imageWithdrawn stops the unfinished rollouts of an image the catalogue no
// longer allows. rollBack (rejected, deleted) also gives the devices that got
// it their previous image; otherwise (back to pending) the devices keep what
// they have. Internal images are exempt: the catalogue never gated them.
func (s *Service) imageWithdrawn(ctx context.Context, tx *store.Tx, img airlock.Image, rollBack bool, why string) error {
	return s.stopRollouts(ctx, tx, img, "", rollBack, why)
}

// tagDeprecated stops further batches of the unfinished rollouts of a tag;
// devices already on it keep it.
func (s *Service) tagDeprecated(ctx context.Context, tx *store.Tx, img airlock.Image, t airlock.Tag) error {
	why := fmt.Sprintf("tag %s of %s was deprecated", t.Tag, repoOf(img))
	if t.DeprecatedReason != "" {
		why += ": " + t.DeprecatedReason
	}
	return s.stopRollouts(ctx, tx, img, t.Tag, false, why)
}

func (s *Service) stopRollouts(ctx context.Context, tx *store.Tx, img airlock.Image, tag string, rollBack bool, why string) error {
	ref := imageref.Ref{Registry: img.Registry, Namespace: img.Namespace, Name: img.ImageName}
	if s.Internal.Match(ref) {
		return nil
	}
	rs, err := rolloutdb.UnfinishedRollouts(ctx, tx, img.Registry, img.Namespace, img.ImageName, tag)
	if err != nil {
		return err
	}
	for _, r := range rs {
		action := rollout.ActionCancel
		if _, err := rollout.Transition(r.Status, rollout.ActionRollback); rollBack && err == nil {
			action = rollout.ActionRollback
		}
		s.Log.WarnContext(ctx, "rollout stopped by a catalogue change", "rollout_id", r.ID, "action", action, "reason", why)
		if _, err := s.engine().Finish(ctx, tx, r, action, why); err != nil {
			return err
		}
	}
	return nil
}

// approvalChanged stops what an image's new approval status no longer
// allows: rejected rolls back, pending stops.
func (s *Service) approvalChanged(ctx context.Context, tx *store.Tx, before, after airlock.Image) error {
	if before.ApprovalStatus != airlock.StatusApproved || after.ApprovalStatus == airlock.StatusApproved {
		return nil
	}
	why := fmt.Sprintf("image %s is now %s", repoOf(after), after.ApprovalStatus)
	return s.imageWithdrawn(ctx, tx, after, after.ApprovalStatus == airlock.StatusRejected, why)
}

func repoOf(img airlock.Image) string {
	return imageref.Ref{Registry: img.Registry, Namespace: img.Namespace, Name: img.ImageName}.Repository()
}
