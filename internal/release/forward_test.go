package release

import (
	"slices"
	"testing"
	"time"
)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

type forwardCase struct {
	name      string
	tag       string
	digest    string
	pushed    time.Time
	aliases   []string
	running   []Running
	allow     bool
	downgrade bool
	basis     string
	devices   int
	reason    string
}

var forwardCases = []forwardCase{
	{name: "older semver", tag: "7.5-alpine", pushed: at(5),
		running:   []Running{{Tag: "7.6-alpine", Digest: dgB, PushedAt: at(1), Devices: 12}},
		downgrade: true, basis: BySemver, devices: 12, reason: "7.5-alpine is older than 7.6-alpine, which 12 devices run"},
	{name: "older semver, allowed", tag: "7.5-alpine", allow: true,
		running:   []Running{{Tag: "7.6-alpine", Devices: 1}},
		downgrade: true, basis: BySemver, devices: 1, reason: "7.5-alpine is older than 7.6-alpine, which 1 device runs; allowed by allow_downgrade"},
	{name: "newer semver pushed earlier", tag: "7.7", pushed: at(0),
		running: []Running{{Tag: "7.6.3", PushedAt: at(9), Devices: 4}}},
	{name: "v prefix and missing parts", tag: "v8", running: []Running{{Tag: "7.9.9", Devices: 4}}},
	{name: "older by push time", tag: "latest", pushed: at(1),
		running:   []Running{{Tag: "latest", Digest: dgB, PushedAt: at(2), Devices: 3}},
		downgrade: true, basis: ByPushTime, devices: 3,
		reason: "latest (pushed 2026-11-30T13:00:00Z) is older than latest (pushed 2026-11-30T14:00:00Z), which 3 devices run"},
	{name: "re-release of the running tag", tag: "7.6", digest: dgA, pushed: at(3),
		running: []Running{{Tag: "7.6", Digest: dgB, PushedAt: at(2), Devices: 3}}},
	{name: "flavour change decided by push time", tag: "7.5-alpine", pushed: at(3),
		running: []Running{{Tag: "7.5-bookworm", PushedAt: at(2), Devices: 3}}},
	{name: "floating major against minor: push time", tag: "7", pushed: at(3),
		running: []Running{{Tag: "7.6", PushedAt: at(2), Devices: 3}}},
	{name: "release candidate against release: push time", tag: "1.0.0-rc1", pushed: at(1),
		running:   []Running{{Tag: "1.0.0", PushedAt: at(2), Devices: 2}},
		downgrade: true, basis: ByPushTime, devices: 2},
	{name: "unknown push times decide nothing", tag: "latest",
		running: []Running{{Tag: "edge", Devices: 3}}},
	{name: "devices already run it", tag: "7.5", digest: dgA,
		running: []Running{{Tag: "7.6", Digest: dgA, Devices: 3}}},
	{name: "no devices", tag: "7.5", running: []Running{{Tag: "7.6", Devices: 0}}},
	{name: "latest is 7.6 by its alias", tag: "7.5-alpine", pushed: at(5),
		running:   []Running{{Tag: "latest", Aliases: []string{"7", "7.6", "7.6.1-alpine"}, PushedAt: at(1), Devices: 12}},
		downgrade: true, basis: BySemver, devices: 12, reason: "7.5-alpine is older than latest (7.6.1-alpine), which 12 devices run"},
	{name: "the release's own alias", tag: "latest", aliases: []string{"7.5.2"}, pushed: at(5),
		running:   []Running{{Tag: "7.6", PushedAt: at(1), Devices: 2}},
		downgrade: true, basis: BySemver, devices: 2, reason: "latest (7.5.2) is older than 7.6, which 2 devices run"},
	{name: "several newer", tag: "7.4",
		running:   []Running{{Tag: "7.6", Devices: 2}, {Tag: "7.3", Devices: 50}, {Tag: "7.5", Devices: 9}},
		downgrade: true, basis: BySemver, devices: 11,
		reason: "7.4 is older than 7.5, which 9 devices run (11 devices run newer releases in all)"},
}

func TestForward(t *testing.T) {
	for _, c := range forwardCases {
		t.Run(c.name, func(t *testing.T) {
			r := rel(1, c.tag, c.digest, c.pushed, StatusReady)
			d := Forward(r, c.running, ForwardOptions{Aliases: c.aliases, AllowDowngrade: c.allow})
			if d.Downgrade != c.downgrade || d.Allowed != (!c.downgrade || c.allow) || d.Devices != c.devices || d.Basis != c.basis {
				t.Fatalf("got %+v", d)
			}
			if c.reason != "" && d.Reason != c.reason {
				t.Errorf("reason %q\n       want %q", d.Reason, c.reason)
			}
			if !c.downgrade && (d.Reason != "" || len(d.Newer) > 0) {
				t.Errorf("not a downgrade, yet %+v", d)
			}
		})
	}
}

func TestForwardNewerOrder(t *testing.T) {
	running := []Running{{Tag: "2.1", Devices: 1}, {Tag: "2.0", Devices: 7}, {Tag: "3", Devices: 7}}
	d := Forward(rel(1, "1.9", "", time.Time{}, StatusReady), running, ForwardOptions{})
	var got []string
	for _, n := range d.Newer {
		got = append(got, n.Tag)
	}
	if want := []string{"2.0", "3", "2.1"}; !slices.Equal(got, want) {
		t.Fatalf("newer = %v, want %v (most devices first, stable)", got, want)
	}
}

// FuzzForward: the age of two contents is antisymmetric (if a is older
// than b, b is newer than a), whatever their tags and push times, and a
// downgrade always says why.
func FuzzForward(f *testing.F) {
	for _, s := range [][2]string{
		{"7.5-alpine", "7.6-alpine"}, {"latest", "latest"}, {"7", "7.6"}, {"1.0.0-rc1", "1.0.0"},
		{"v2", "1.99.99"}, {"99999999999999999999", "1"}, {"7.5+a", "7.5+b"}, {"", "-"},
	} {
		f.Add(s[0], s[1], int64(0), int64(3600))
	}
	f.Fuzz(func(t *testing.T, a, b string, pa, pb int64) {
		at := func(s int64) time.Time {
			if s == 0 {
				return time.Time{}
			}
			return time.Unix(s%(1<<40), 0)
		}
		x, y := side{a, nil, at(pa)}, side{b, nil, at(pb)}
		cxy, bxy := compareAge(x, y)
		cyx, byx := compareAge(y, x)
		if cxy != -cyx || bxy != byx {
			t.Fatalf("compareAge(%q, %q) = %d by %s, reversed %d by %s", a, b, cxy, bxy, cyx, byx)
		}
		d := Forward(Release{Tag: a, PushedAt: at(pa)}, []Running{{Tag: b, PushedAt: at(pb), Devices: 1}}, ForwardOptions{})
		if d.Downgrade != (cxy < 0) || (d.Downgrade && d.Reason == "") || d.Allowed == d.Downgrade {
			t.Fatalf("Forward(%q after %q) = %+v, compareAge %d", a, b, d, cxy)
		}
	})
}
