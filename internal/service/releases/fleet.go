package releases

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// fleetView is what a policy's devices run, as a release is decided on.
type fleetView struct {
	targets []release.Target             // devices not on the release yet, with their platforms
	running []release.Running            // what the devices run, by image
	aliases []string                     // the release's other tags (same digest)
	apps    map[string][]fleet.TargetApp // the apps of each target device
}

// readFleet reads the devices of policy p that run the release's repository.
func (s Releases) readFleet(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy) (fleetView, error) {
	repo := r.Repository()
	apps, err := fleet.TargetApps(ctx, tx, repo)
	if err != nil {
		return fleetView{}, err
	}
	platforms, err := releasedb.DevicePlatforms(ctx, tx, repo)
	if err != nil {
		return fleetView{}, err
	}
	v := fleetView{apps: map[string][]fleet.TargetApp{}}
	devices := map[string]map[string]bool{} // image → its devices
	ref := r.Ref()
	for _, a := range apps {
		if !p.DeviceFilter.Matches(a.DeviceUUID, a.Labels) {
			continue
		}
		if devices[a.Image] == nil {
			devices[a.Image] = map[string]bool{}
		}
		devices[a.Image][a.DeviceUUID] = true
		if cur, _ := imageref.Parse(a.Image); cur.Tag == ref.Tag && (ref.Digest == "" || cur.Digest == ref.Digest) {
			continue
		}
		if _, seen := v.apps[a.DeviceUUID]; !seen {
			v.targets = append(v.targets, release.Target{UUID: a.DeviceUUID, Platform: platforms[a.DeviceUUID]})
		}
		v.apps[a.DeviceUUID] = append(v.apps[a.DeviceUUID], a)
	}
	if r.Digest != "" {
		if v.aliases, err = s.aliases(ctx, tx, r, r.Digest, r.Tag); err != nil {
			return v, err
		}
	}
	v.running, err = s.running(ctx, tx, r, devices)
	return v, err
}

// running describes each image the devices run, with its push time and
// other tags when Airlock has releases of it.
func (s Releases) running(ctx context.Context, tx *store.Tx, r release.Release, devices map[string]map[string]bool) ([]release.Running, error) {
	var out []release.Running
	for _, image := range slices.Sorted(maps.Keys(devices)) {
		cur, err := imageref.Parse(image)
		if err != nil || cur.Tag == "" {
			continue
		}
		run := release.Running{Tag: cur.Tag, Digest: cur.Digest, Devices: len(devices[image])}
		h, err := s.history(ctx, tx, r, cur.Tag)
		if err != nil {
			return nil, err
		}
		run.PushedAt = pushedAt(h, cur.Digest, r.ID)
		if cur.Digest != "" {
			if run.Aliases, err = s.aliases(ctx, tx, r, cur.Digest, cur.Tag); err != nil {
				return nil, err
			}
		}
		out = append(out, run)
	}
	return out, nil
}

// pushedAt is when the content devices run was pushed: the release of its
// digest, else the tag's latest release other than the one decided on;
// zero when unknown.
func pushedAt(h release.History, digest string, except int64) time.Time {
	var at time.Time
	for _, x := range h.Releases {
		switch {
		case digest != "" && x.Digest == digest:
			return x.PushedAt
		case digest == "" && x.ID != except && x.PushedAt.After(at):
			at = x.PushedAt
		}
	}
	return at
}

func (s Releases) aliases(ctx context.Context, tx *store.Tx, r release.Release, digest, tag string) ([]string, error) {
	tags, err := releasedb.TagsOf(ctx, tx, r.Registry, r.Namespace, r.Name, digest)
	return slices.DeleteFunc(tags, func(t string) bool { return t == tag }), err
}

// skippedApps are the apps of the skipped devices, with the reason.
func (v fleetView) skippedApps(skips []release.Skip) []releasedb.Skipped {
	var out []releasedb.Skipped
	for _, sk := range skips {
		for _, a := range v.apps[sk.UUID] {
			out = append(out, releasedb.Skipped{UUID: a.DeviceUUID, App: a.App, PreviousImage: a.Image, Reason: sk.Reason})
		}
	}
	return out
}
