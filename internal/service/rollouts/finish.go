package rollouts

import (
	"context"
	"fmt"
	"github.com/airlock-iot/airlock/internal/release"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/settle"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Finish ends a rollout by action (complete, complete_with_failures, fail,
// rollback or cancel). Devices still pending or in flight are settled
// (skipped or cancelled, with the reason); a rollback gives every device
// that got the new image, and still has it, its previous image back, and
// holds the rollout's content as known-bad. Verdicts and evidence stay.
func (e Engine) Finish(ctx context.Context, tx *store.Tx, r airlock.Rollout, action, reason string) (airlock.Rollout, error) {
	to, err := rollout.Transition(r.Status, action)
	if err != nil {
		return r, err
	}
	r, err = rolloutdb.TransitionRollout(ctx, tx, r.ID, rolloutdb.Transition{From: r.Status, To: to, Reason: reason, Finish: true})
	if err != nil {
		return r, err
	}
	if err := rolloutdb.SetNextWindow(ctx, tx, r.ID, nil); err != nil {
		return r, err
	}
	var extra map[string]any
	if to == rollout.StatusRolledBack {
		restored, err := rollBack(ctx, tx, r)
		if err != nil {
			return r, err
		}
		extra = map[string]any{"devices_restored": restored}
	}
	if err := settle.All(ctx, tx, r, e.Plan.chunk()); err != nil {
		return r, err
	}
	if err := rolloutdb.SkipPending(ctx, tx, r.ID, "rollout "+to); err != nil {
		return r, err
	}
	e.Log.InfoContext(ctx, "rollout "+to, "rollout_id", r.ID, "image", r.Image, "reason", reason)
	return r, Event(ctx, tx, "image.rollout_"+to, r, extra)
}

func rollBack(ctx context.Context, tx *store.Tx, r airlock.Rollout) (int, error) {
	devices, err := rolloutdb.RollBackDevices(ctx, tx, r.ID)
	if err != nil {
		return 0, err
	}
	changes := make([]fleet.AppImage, len(devices))
	for i, d := range devices {
		changes[i] = fleet.AppImage{DeviceUUID: d.DeviceUUID, App: d.App, Image: d.PreviousImage, Repository: repository(r)}
	}
	if err := fleet.SetAppImages(ctx, tx, changes); err != nil {
		return 0, err
	}
	id, reason := r.ID, fmt.Sprintf("rollout %d was rolled back: %s", r.ID, r.Reason)
	if err := markReleaseBad(ctx, tx, r.ID, reason); err != nil {
		return 0, err
	}
	return len(changes), rolloutdb.AddKnownBad(ctx, tx, airlock.KnownBad{Content: KnownBadKey(r.Digest, r.Image),
		Image: r.Image, RolloutID: &id, Reason: reason})
}

// KnownBadKey is the content a known-bad record holds: the digest, or the
// image (image:tag) when there is none.
func KnownBadKey(digest, image string) string {
	if digest != "" {
		return digest
	}
	return image
}

// knownBad returns why pushes of content are held, or "".
func knownBad(ctx context.Context, tx *store.Tx, content string) (string, error) {
	k, held, err := rolloutdb.KnownBadContent(ctx, tx, content)
	if err != nil || !held {
		return "", err
	}
	return fmt.Sprintf("%s is known-bad (record %d): %s; an admin may clear it to roll it out again", content, k.ID, k.Reason), nil
}

// markReleaseBad marks the release rollout rolloutID delivered as known_bad,
// in the rollback's transaction; a rollout of no release changes nothing.
func markReleaseBad(ctx context.Context, tx *store.Tx, rolloutID int64, reason string) error {
	id, err := releasedb.OfRollout(ctx, tx, rolloutID)
	if err != nil || id == 0 {
		return err
	}
	r, err := releasedb.ForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	r, _ = release.MarkKnownBad(r, reason)
	_, err = releasedb.Update(ctx, tx, r)
	return err
}
