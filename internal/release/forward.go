package release

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Running is one content that devices under a policy run.
type Running struct {
	Tag      string
	Digest   string    // "" when the devices run it unpinned
	PushedAt time.Time // its release's push time; zero if unknown
	Devices  int
}

// Bases of an age comparison.
const (
	BySemver   = "semver"
	ByPushTime = "push_time"
)

// Direction says whether a release would move a policy's devices backwards.
type Direction struct {
	Downgrade bool      `json:"downgrade"` // older than something devices run
	Allowed   bool      `json:"allowed"`   // may start a rollout: not a downgrade, or allowed
	Basis     string    `json:"basis,omitempty"`
	Newer     []Running `json:"newer,omitempty"` // what devices run that is newer, most devices first
	Devices   int       `json:"devices"`         // how many devices run newer content
	Reason    string    `json:"reason,omitempty"`
}

// Forward decides whether r is a downgrade for devices running what
// running lists. Two contents compare by semver when both tags read as
// versions with different major.minor.patch ("7.5-alpine" is older than
// "7.6-alpine"); otherwise by push time ("latest" against "latest", "7.5"
// against "7.5.0", "7.5-alpine" against "7.5-bookworm", "1.0.0-rc1" against
// "1.0.0"). Content the devices already run, and pairs with an unknown push
// time that semver cannot order, never count as newer: no evidence, no
// block. allowDowngrade (the policy's allow_downgrade, or a manual,
// gated rollout) lets a downgrade through, still saying so.
func Forward(r Release, running []Running, allowDowngrade bool) Direction {
	var d Direction
	for i := range running {
		run := &running[i]
		if run.Devices <= 0 || (r.Digest != "" && run.Digest == r.Digest) {
			continue
		}
		if compareAge(r, *run) < 0 {
			d.Newer = append(d.Newer, *run)
			d.Devices += run.Devices
		}
	}
	if len(d.Newer) == 0 {
		d.Allowed = true
		return d
	}
	slices.SortStableFunc(d.Newer, func(a, b Running) int { return cmp.Compare(b.Devices, a.Devices) })
	top := d.Newer[0]
	d.Downgrade, d.Allowed, d.Basis = true, allowDowngrade, compareBasis(r, top)
	d.Reason = fmt.Sprintf("%s is older than %s, which %s", ageName(r.Tag, r.PushedAt, d.Basis),
		ageName(top.Tag, top.PushedAt, d.Basis), runs(top.Devices))
	if len(d.Newer) > 1 {
		d.Reason += fmt.Sprintf(" (%s newer releases in all)", runs(d.Devices))
	}
	if allowDowngrade {
		d.Reason += "; allowed by allow_downgrade"
	}
	return d
}

// compareAge is -1 when r is older than run, +1 when newer, 0 when equal
// or unknown.
func compareAge(r Release, run Running) int {
	if compareBasis(r, run) == BySemver {
		return compareCore(version(r.Tag), version(run.Tag))
	}
	if r.PushedAt.IsZero() || run.PushedAt.IsZero() {
		return 0
	}
	return r.PushedAt.Compare(run.PushedAt)
}

func compareBasis(r Release, run Running) string {
	a, b := version(r.Tag), version(run.Tag)
	if a != nil && b != nil && compareCore(a, b) != 0 {
		return BySemver
	}
	return ByPushTime
}

// compareCore compares major.minor.patch, leaving out pre-release and
// build metadata, which Docker tags use for flavours ("-alpine").
func compareCore(a, b *semver.Version) int {
	return cmp.Or(cmp.Compare(a.Major(), b.Major()), cmp.Compare(a.Minor(), b.Minor()),
		cmp.Compare(a.Patch(), b.Patch()))
}

func ageName(tag string, pushed time.Time, basis string) string {
	if basis == BySemver || pushed.IsZero() {
		return tag
	}
	return fmt.Sprintf("%s (pushed %s)", tag, pushed.UTC().Format(time.RFC3339))
}

func runs(n int) string {
	if n == 1 {
		return "1 device runs"
	}
	return fmt.Sprintf("%d devices run", n)
}
