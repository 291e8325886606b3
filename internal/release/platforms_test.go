package release

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/platform"
)

var fleet = []Target{
	{UUID: "pc", Platform: "x86_64"},
	{UUID: "pi4", Platform: "aarch64"},
	{UUID: "pi3", Platform: "armv7l"},
	{UUID: "pi0", Platform: "linux/arm/v6"},
	{UUID: "new", Platform: ""},
	{UUID: "odd", Platform: "z80"},
}

var v6 = platform.MustParse("linux/arm/v6")

type platformCase struct {
	name       string
	offered    []platform.Platform
	requireAll bool
	eligible   []Eligible
	skipped    []Skip
	missing    []platform.Platform
	hold       bool
	reason     string
}

var platformCases = []platformCase{
	{name: "amd64 only", offered: []platform.Platform{amd},
		eligible: []Eligible{{UUID: "pc", Platform: amd, Index: 0}},
		skipped: []Skip{{"pi4", "no linux/arm64 in this image"}, {"pi3", "no linux/arm/v7 in this image"},
			{"pi0", "no linux/arm/v6 in this image"}, {"new", "the device's platform is unknown"},
			{"odd", `the device's platform "z80" is not valid`}},
		missing: []platform.Platform{v6, armv, arm}},
	{name: "three platforms, arm64 runs arm/v7 only when it lacks its own", offered: []platform.Platform{amd, armv, arm},
		eligible: []Eligible{{"pc", amd, 0}, {"pi4", arm, 2}, {"pi3", armv, 1}},
		skipped: []Skip{{"pi0", "no linux/arm/v6 in this image"}, {"new", "the device's platform is unknown"},
			{"odd", `the device's platform "z80" is not valid`}},
		missing: []platform.Platform{v6}},
	{name: "arm/v7 image on an arm64 device", offered: []platform.Platform{armv},
		eligible: []Eligible{{"pi4", armv, 0}, {"pi3", armv, 0}},
		skipped: []Skip{{"pc", "no linux/amd64 in this image"}, {"pi0", "no linux/arm/v6 in this image"},
			{"new", "the device's platform is unknown"}, {"odd", `the device's platform "z80" is not valid`}},
		missing: []platform.Platform{amd, v6}},
	{name: "require all platforms holds", offered: []platform.Platform{amd}, requireAll: true,
		eligible: []Eligible{{UUID: "pc", Platform: amd, Index: 0}},
		skipped: []Skip{{"pi4", "no linux/arm64 in this image"}, {"pi3", "no linux/arm/v7 in this image"},
			{"pi0", "no linux/arm/v6 in this image"}, {"new", "the device's platform is unknown"},
			{"odd", `the device's platform "z80" is not valid`}},
		missing: []platform.Platform{v6, armv, arm}, hold: true,
		reason: "require_all_platforms: no linux/arm/v6, linux/arm/v7, linux/arm64 in this image (3 devices)"},
	{name: "platforms unknown: every device", offered: nil, requireAll: true,
		eligible: []Eligible{{"pc", platform.Platform{}, -1}, {"pi4", platform.Platform{}, -1}, {"pi3", platform.Platform{}, -1},
			{"pi0", platform.Platform{}, -1}, {"new", platform.Platform{}, -1}, {"odd", platform.Platform{}, -1}},
		skipped: []Skip{}},
}

func TestPlatforms(t *testing.T) {
	for _, c := range platformCases {
		t.Run(c.name, func(t *testing.T) {
			got := Platforms(c.offered, fleet, c.requireAll)
			want := Eligibility{Eligible: c.eligible, Skipped: c.skipped, Missing: c.missing, Hold: c.hold, Reason: c.reason}
			if want.Missing == nil {
				want.Missing = []platform.Platform{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlatformsRequireAllSatisfied(t *testing.T) {
	e := Platforms([]platform.Platform{amd, arm}, []Target{{"a", "linux/amd64"}, {"b", "arm64"}}, true)
	if e.Hold || len(e.Eligible) != 2 || len(e.Skipped) != 0 || len(e.Missing) != 0 {
		t.Fatalf("%+v", e)
	}
}
