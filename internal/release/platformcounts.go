package release

import "github.com/airlock-iot/airlock/internal/platform"

// PlatformCount is how many of a rollout's devices report a platform
// (as Target.Platform spells it; "" when unknown).
type PlatformCount struct {
	Platform string
	Devices  int
}

// PlatformsByCount is Platforms for a fleet too large to list device by
// device: the same decision over the distinct platforms, with device
// counts in EligibleDevices and SkippedDevices and no per-device lists
// (the rollout's planner skips the devices one chunk at a time). As in
// the service's eligibility, a device whose platform is unknown is
// eligible. FirstSkip is the reason of one skipped platform, the one
// "no device can run" quotes.
func PlatformsByCount(offered []platform.Platform, counts []PlatformCount, requireAll bool) Eligibility {
	e := Eligibility{Eligible: []Eligible{}, Skipped: []Skip{}}
	missing := map[platform.Platform]int{}
	for _, c := range counts {
		if len(offered) == 0 || c.Platform == "" {
			e.EligibleDevices += c.Devices
			continue
		}
		if _, reason := match(c.Platform, offered, missing, c.Devices); reason != "" {
			e.SkippedDevices += c.Devices
			if e.FirstSkip == "" {
				e.FirstSkip = reason
			}
			continue
		}
		e.EligibleDevices += c.Devices
	}
	e.hold(missing, requireAll)
	return e
}
