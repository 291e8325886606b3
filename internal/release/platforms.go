package release

import (
	"fmt"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/platform"
)

// Target is a device a rollout would reach, with its platform as it was
// provisioned or reported: OCI form ("linux/arm/v7") or a uname -m
// spelling ("armv7l"); "" when unknown.
type Target struct {
	UUID     string
	Platform string
}

// Eligible is a device that can run the release, with the platform of the
// release it will pull (Index into the offered platforms; -1 when the
// release's platforms are unknown).
type Eligible struct {
	UUID     string            `json:"uuid"`
	Platform platform.Platform `json:"platform,omitzero"`
	Index    int               `json:"index"`
}

// Skip is a device left out of a rollout, and why.
type Skip struct {
	UUID   string `json:"uuid"`
	Reason string `json:"reason"`
}

// Eligibility splits a rollout's devices by platform.
type Eligibility struct {
	Eligible []Eligible          `json:"eligible"`
	Skipped  []Skip              `json:"skipped"`
	Missing  []platform.Platform `json:"missing,omitempty"` // device platforms the release lacks, sorted
	Hold     bool                `json:"hold"`              // require_all_platforms and something is missing
	Reason   string              `json:"reason,omitempty"`
	// Counts, when the fleet was too large to list (PlatformsByCount).
	EligibleDevices int    `json:"eligible_devices,omitempty"`
	SkippedDevices  int    `json:"skipped_devices,omitempty"`
	FirstSkip       string `json:"first_skip,omitempty"`
}

// Platforms decides which targets can run a release built for offered,
// choosing for each the platform a container runtime would pull
// (platform.Best). The others are skipped with the reason ("no
// linux/arm64 in this image"); a device whose platform is unknown or not
// valid is skipped too, since nothing says it can run the image. With
// requireAll (the policy's require_all_platforms) a missing platform holds
// the release instead, listing what is missing. A release whose platforms
// are unknown (unpinned, never inspected) cannot be checked: every target
// is eligible.
func Platforms(offered []platform.Platform, targets []Target, requireAll bool) Eligibility {
	e := Eligibility{Eligible: []Eligible{}, Skipped: []Skip{}}
	missing := map[platform.Platform]int{}
	for _, t := range targets {
		if len(offered) == 0 {
			e.Eligible = append(e.Eligible, Eligible{UUID: t.UUID, Index: -1})
			continue
		}
		i, reason := match(t.Platform, offered, missing, 1)
		if reason == "" {
			e.Eligible = append(e.Eligible, Eligible{UUID: t.UUID, Platform: offered[i], Index: i})
			continue
		}
		e.Skipped = append(e.Skipped, Skip{UUID: t.UUID, Reason: reason})
	}
	e.hold(missing, requireAll)
	return e
}

// match returns the index of the offered platform a device on platform s
// pulls, or why it can run none; n devices on a valid platform the release
// lacks are counted into missing.
func match(s string, offered []platform.Platform, missing map[platform.Platform]int, n int) (int, string) {
	dev, reason := devicePlatform(s)
	if reason != "" {
		return -1, reason
	}
	if i, ok := platform.Best(dev, offered); ok {
		return i, ""
	}
	missing[dev] += n
	return -1, fmt.Sprintf("no %s in this image", dev)
}

// hold lists what is missing and, with requireAll, holds the release for it.
func (e *Eligibility) hold(missing map[platform.Platform]int, requireAll bool) {
	e.Missing = sortedPlatforms(missing)
	if requireAll && len(e.Missing) > 0 {
		e.Hold = true
		e.Reason = fmt.Sprintf("require_all_platforms: no %s in this image (%s)",
			joinPlatforms(e.Missing), plural(sum(missing), "device"))
	}
}

func devicePlatform(s string) (platform.Platform, string) {
	if strings.TrimSpace(s) == "" {
		return platform.Platform{}, "the device's platform is unknown"
	}
	p, err := platform.Parse(s)
	if err != nil {
		return platform.Platform{}, fmt.Sprintf("the device's platform %q is not valid", s)
	}
	return p, ""
}

func sortedPlatforms(m map[platform.Platform]int) []platform.Platform {
	out := make([]platform.Platform, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b platform.Platform) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func joinPlatforms(ps []platform.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func sum(m map[platform.Platform]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
