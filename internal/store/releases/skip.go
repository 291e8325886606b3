package releases

import (
	"context"

	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// SkipLacking records as skipped, in rollout id, the apps of a planner's
// chunk that need the rollout (needs) but whose device has a platform the
// release that created it lacks, with the reason a release decided device
// by device gives them (release.Platforms); it returns the other apps.
// A release decided on counts (too large a fleet to list) leaves these
// skips to its rollout's planner. A device whose platform is unknown is
// not skipped, nor is any device of a rollout no release created or whose
// release's platforms are unknown.
func SkipLacking(ctx context.Context, tx *store.Tx, id int64, image string, apps []fleet.TargetApp, needs func(fleet.TargetApp) bool) ([]fleet.TargetApp, error) {
	if len(apps) == 0 {
		return apps, nil
	}
	offered, ok, err := RolloutPlatforms(ctx, tx, id)
	if err != nil || !ok || len(offered) == 0 {
		return apps, err
	}
	platforms, err := PlatformsBetween(ctx, tx, apps[0].DeviceUUID, apps[len(apps)-1].DeviceUUID)
	if err != nil {
		return nil, err
	}
	var targets []release.Target
	for _, a := range apps {
		fresh := len(targets) == 0 || targets[len(targets)-1].UUID != a.DeviceUUID
		if fresh && platforms[a.DeviceUUID] != "" && needs(a) {
			targets = append(targets, release.Target{UUID: a.DeviceUUID, Platform: platforms[a.DeviceUUID]})
		}
	}
	why := map[string]string{}
	for _, sk := range release.Platforms(offered, targets, false).Skipped {
		why[sk.UUID] = sk.Reason
	}
	if len(why) == 0 {
		return apps, nil
	}
	var keep []fleet.TargetApp
	var skipped []Skipped
	for _, a := range apps {
		if reason, ok := why[a.DeviceUUID]; ok && needs(a) {
			skipped = append(skipped, Skipped{UUID: a.DeviceUUID, App: a.App, PreviousImage: a.Image, Reason: reason})
			continue
		}
		keep = append(keep, a)
	}
	return keep, InsertSkipped(ctx, tx, id, image, skipped)
}
