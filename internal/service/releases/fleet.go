package releases

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	costdb "github.com/airlock-iot/airlock/internal/store/costs"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// fleetView is what a policy's devices run, as a release is decided on.
// Over a large fleet (large) it holds counts, not devices: targets and
// apps stay empty and counts has the targets' platforms.
type fleetView struct {
	targets []release.Target             // devices not on the release yet, with their platforms
	running []release.Running            // what the devices run, by image
	aliases []string                     // the release's other tags (same digest)
	apps    map[string][]fleet.TargetApp // the apps of each target device
	counts  []release.PlatformCount      // large: the targets' platforms, with their devices
	large   bool
}

// readFleet reads the devices of policy p that run the release's
// repository: device by device, or as counts when the fleet is large.
func (s Releases) readFleet(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy) (fleetView, error) {
	large, err := s.largeFleet(ctx, tx, r.Repository(), p)
	if err != nil {
		return fleetView{}, err
	}
	var v fleetView
	var devices map[string]int // image → its devices
	if large {
		v, devices, err = readCounts(ctx, tx, r)
	} else {
		v, devices, err = readDevices(ctx, tx, r, p)
	}
	if err != nil {
		return v, err
	}
	if r.Digest != "" {
		if v.aliases, err = s.aliases(ctx, tx, r, r.Digest, r.Tag); err != nil {
			return v, err
		}
	}
	v.running, err = s.running(ctx, tx, r, devices)
	return v, err
}

// largeFleet reports whether the release is decided on counts: the
// repository has more target apps than a rollout plans inline (the probe
// Create makes), so the rollout's planner skips the devices whose platform
// the release lacks. A policy that filters devices, or whose cost has
// limits (priced device by device), is read device by device whatever the
// fleet's size.
func (s Releases) largeFleet(ctx context.Context, tx *store.Tx, repo string, p airlock.Policy) (bool, error) {
	if len(p.DeviceFilter.Labels) > 0 || len(p.DeviceFilter.UUIDs) > 0 {
		return false, nil
	}
	max := s.Engine.Plan.InlineMax
	if max <= 0 {
		max = rollouts.DefaultInlineMax
	}
	apps, err := fleet.TargetAppsAfter(ctx, tx, repo, "", "", max+1, false)
	if err != nil || len(apps) <= max || s.Cost == nil {
		return err == nil && len(apps) > max, err
	}
	limits, err := costdb.Limits(ctx, tx, p.ID)
	return err == nil && limits == (cost.Limits{}), err
}

// readDevices reads the fleet device by device.
func readDevices(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy) (fleetView, map[string]int, error) {
	repo := r.Repository()
	apps, err := fleet.TargetApps(ctx, tx, repo)
	if err != nil {
		return fleetView{}, nil, err
	}
	platforms, err := releasedb.DevicePlatforms(ctx, tx, repo)
	if err != nil {
		return fleetView{}, nil, err
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
		if onRelease(a.Image, ref) {
			continue
		}
		if _, seen := v.apps[a.DeviceUUID]; !seen {
			v.targets = append(v.targets, release.Target{UUID: a.DeviceUUID, Platform: platforms[a.DeviceUUID]})
		}
		v.apps[a.DeviceUUID] = append(v.apps[a.DeviceUUID], a)
	}
	counts := make(map[string]int, len(devices))
	for image, set := range devices {
		counts[image] = len(set)
	}
	return v, counts, nil
}

// readCounts reads the fleet as counts per image and platform: one
// aggregate, whatever the number of devices. A device with apps of the
// repository on two images, neither the release's, counts twice among the
// targets' platforms (only the hold reason's device count shows it).
func readCounts(ctx context.Context, tx *store.Tx, r release.Release) (fleetView, map[string]int, error) {
	rows, err := releasedb.ImagePlatforms(ctx, tx, r.Repository(), len(r.Platforms) > 0)
	if err != nil {
		return fleetView{}, nil, err
	}
	devices, byPlatform := map[string]int{}, map[string]int{}
	ref := r.Ref()
	for _, x := range rows {
		devices[x.Image] += x.Devices
		if !onRelease(x.Image, ref) {
			byPlatform[x.Platform] += x.Devices
		}
	}
	v := fleetView{large: true}
	for _, pl := range slices.Sorted(maps.Keys(byPlatform)) {
		v.counts = append(v.counts, release.PlatformCount{Platform: pl, Devices: byPlatform[pl]})
	}
	return v, devices, nil
}

// onRelease reports whether a device running image is on the release
// already: the same tag, and the same digest when the release has one.
func onRelease(image string, ref imageref.Ref) bool {
	cur, _ := imageref.Parse(image)
	return cur.Tag == ref.Tag && (ref.Digest == "" || cur.Digest == ref.Digest)
}

// running describes each image the devices run, with its push time and
// other tags when Airlock has releases of it.
func (s Releases) running(ctx context.Context, tx *store.Tx, r release.Release, devices map[string]int) ([]release.Running, error) {
	var out []release.Running
	for _, image := range slices.Sorted(maps.Keys(devices)) {
		cur, err := imageref.Parse(image)
		if err != nil || cur.Tag == "" {
			continue
		}
		run := release.Running{Tag: cur.Tag, Digest: cur.Digest, Devices: devices[image]}
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
