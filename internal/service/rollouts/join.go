package rollouts

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// JoinNew is called when device uuid's target state is set to apps: each
// app that starts to run a repository with an unfinished rollout joins
// that rollout's last batch (policy include_new_devices), as rollout.JoinBatch
// says, so that a device turning up mid-rollout is not left behind. The
// monitor starts it when that batch runs.
func (e Engine) JoinNew(ctx context.Context, tx *store.Tx, uuid string, apps map[string]airlock.AppSpec) error {
	seen := map[string]bool{}
	for _, spec := range apps {
		ref, err := imageref.Parse(spec.Image())
		if err != nil || seen[ref.Repository()] {
			continue // ParseApps checked every image; a repository is looked at once
		}
		seen[ref.Repository()] = true
		rs, err := rolloutdb.UnfinishedRollouts(ctx, tx, ref.Registry, ref.Namespace, ref.Name, "")
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := e.join(ctx, tx, r, uuid); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e Engine) join(ctx context.Context, tx *store.Tx, r airlock.Rollout, uuid string) error {
	batch, ok := rollout.JoinBatch(r.Status, r.TotalBatches, r.IncludeNewDevices)
	if !ok {
		return nil
	}
	var filter airlock.DeviceSelector
	if r.PolicyID != nil {
		p, err := rolloutdb.PolicyForUpdate(ctx, tx, *r.PolicyID)
		if err != nil && airlock.ErrorCode(err) != airlock.ENOTFOUND {
			return err
		}
		filter = p.DeviceFilter
	}
	target, err := imageref.Parse(r.Image)
	if err != nil {
		return err
	}
	apps, err := fleet.TargetApps(ctx, tx, repository(r))
	if err != nil {
		return err
	}
	for _, a := range needing(apps, filter, target) {
		if a.DeviceUUID != uuid {
			continue
		}
		d := airlock.RolloutDevice{DeviceUUID: uuid, App: a.App, Batch: batch, PreviousImage: a.Image, TargetImage: r.Image,
			Status: rollout.DevicePending}
		joined, err := rolloutdb.JoinRollout(ctx, tx, r.ID, d)
		if err != nil || !joined {
			return err
		}
		e.Log.InfoContext(ctx, "device joined rollout", "rollout_id", r.ID, "device", uuid, "app", a.App, "batch", batch)
		if err := Event(ctx, tx, "image.rollout_device_joined", r, map[string]any{"device_uuid": uuid, "app": a.App, "batch": batch}); err != nil {
			return err
		}
	}
	return nil
}
