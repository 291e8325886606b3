package release

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// PlatformsByCount decides as Platforms does over the same fleet, one
// device per platform, except that an unknown platform is eligible (as the
// service's eligibility makes it).
func TestPlatformsByCountAgreesWithPlatforms(t *testing.T) {
	for _, c := range platformCases {
		for _, requireAll := range []bool{false, true} {
			var known []Target
			var counts []PlatformCount
			for _, tg := range fleet {
				counts = append(counts, PlatformCount{Platform: tg.Platform, Devices: 2})
				if tg.Platform != "" {
					known = append(known, tg, Target{UUID: tg.UUID + "'", Platform: tg.Platform})
				}
			}
			want := Platforms(c.offered, known, requireAll)
			got := PlatformsByCount(c.offered, counts, requireAll)
			if got.EligibleDevices != len(want.Eligible)+2 || got.SkippedDevices != len(want.Skipped) {
				t.Errorf("%s: %d eligible, %d skipped; want %d, %d", c.name, got.EligibleDevices, got.SkippedDevices,
					len(want.Eligible)+2, len(want.Skipped))
			}
			if diff := cmp.Diff([]any{want.Missing, want.Hold, want.Reason}, []any{got.Missing, got.Hold, got.Reason}); diff != "" {
				t.Errorf("%s (require all %v): %s", c.name, requireAll, diff)
			}
			if len(want.Skipped) > 0 && got.FirstSkip != want.Skipped[0].Reason {
				t.Errorf("%s: first skip %q, want %q", c.name, got.FirstSkip, want.Skipped[0].Reason)
			}
		}
	}
}

func TestPlatformsByCountUnknownReleasePlatforms(t *testing.T) {
	got := PlatformsByCount(nil, []PlatformCount{{"z80", 3}, {"aarch64", 4}}, true)
	if got.EligibleDevices != 7 || got.SkippedDevices != 0 || got.Hold {
		t.Fatalf("%+v", got)
	}
}
