package releases

import (
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/release"
)

func TestEligibilityKeepsDevicesOfUnknownPlatform(t *testing.T) {
	r := release.Release{Platforms: []platform.Platform{platform.MustParse("linux/amd64")}}
	el := eligibility(r, []release.Target{{UUID: "pc", Platform: "x86_64"}, {UUID: "pi", Platform: "aarch64"},
		{UUID: "old"}}, false)
	if len(el.Eligible) != 2 || el.Eligible[0].UUID != "pc" || el.Eligible[1].UUID != "old" {
		t.Fatalf("eligible %+v", el.Eligible)
	}
	if len(el.Skipped) != 1 || el.Skipped[0].Reason != "no linux/arm64 in this image" {
		t.Fatalf("skipped %+v", el.Skipped)
	}
}

func TestNarrowKeepsThePolicysDeviceList(t *testing.T) {
	el := []release.Eligible{{UUID: "a"}, {UUID: "b"}, {UUID: "c"}}
	if got := narrow(nil, el); len(got) != 3 {
		t.Fatalf("no list: %v", got)
	}
	if got := narrow([]string{"b", "z"}, el); len(got) != 1 || got[0] != "b" {
		t.Fatalf("list: %v", got)
	}
	if got := narrow([]string{"z"}, el); got == nil || len(got) != 0 {
		t.Fatalf("nothing eligible must stay an empty, not a nil, list: %v", got)
	}
}

func TestPushedAtOfWhatDevicesRun(t *testing.T) {
	t1, t2 := time.Unix(100, 0), time.Unix(200, 0)
	h := release.History{Releases: []release.Release{{ID: 1, Digest: "sha256:a", PushedAt: t1}, {ID: 2, Digest: "sha256:b", PushedAt: t2}}}
	switch {
	case !pushedAt(h, "sha256:a", 0).Equal(t1):
		t.Error("by digest")
	case !pushedAt(h, "", 0).Equal(t2):
		t.Error("unpinned: the tag's latest")
	case !pushedAt(h, "", 2).Equal(t1):
		t.Error("unpinned: the latest other than the release decided on")
	case !pushedAt(h, "sha256:c", 0).IsZero():
		t.Error("unknown digest")
	}
}
