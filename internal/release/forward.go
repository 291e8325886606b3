package release

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Running is one content that devices under a policy run.
type Running struct {
	Tag      string
	Digest   string    // "" when the devices run it unpinned
	Aliases  []string  // other tags whose releases have the same digest ("latest" is also "7.6.1")
	PushedAt time.Time // its release's push time; zero if unknown
	Devices  int
}

// Bases of an age comparison.
const (
	BySemver   = "semver"
	ByPushTime = "push_time"
)

// ForwardOptions are what Forward needs beside the release.
type ForwardOptions struct {
	Aliases []string // other tags of the release's digest
	// AllowDowngrade is the policy's allow_downgrade; a manual (gated)
	// rollout sets it too, since an admin may choose to go back.
	AllowDowngrade bool
}

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
// running lists; see compareAge for how two contents are ordered. Content
// the devices already run never counts as newer, nor does a pair that
// semver cannot order and whose push time is unknown: no evidence, no
// block.
func Forward(r Release, running []Running, o ForwardOptions) Direction {
	var d Direction
	mine := side{r.Tag, o.Aliases, r.PushedAt}
	for _, run := range running {
		if run.Devices <= 0 || (r.Digest != "" && run.Digest == r.Digest) {
			continue
		}
		if c, _ := compareAge(mine, side{run.Tag, run.Aliases, run.PushedAt}); c < 0 {
			d.Newer = append(d.Newer, run)
			d.Devices += run.Devices
		}
	}
	if len(d.Newer) == 0 {
		d.Allowed = true
		return d
	}
	slices.SortStableFunc(d.Newer, func(a, b Running) int { return cmp.Compare(b.Devices, a.Devices) })
	top := d.Newer[0]
	theirs := side{top.Tag, top.Aliases, top.PushedAt}
	_, d.Basis = compareAge(mine, theirs)
	d.Downgrade, d.Allowed = true, o.AllowDowngrade
	d.Reason = fmt.Sprintf("%s is older than %s, which %s", mine.name(d.Basis), theirs.name(d.Basis), runs(top.Devices))
	if len(d.Newer) > 1 {
		d.Reason += fmt.Sprintf(" (%s newer releases in all)", runs(d.Devices))
	}
	if o.AllowDowngrade {
		d.Reason += "; allowed by allow_downgrade"
	}
	return d
}

// side is one content as compared: its tag, other tags, push time.
type side struct {
	tag     string
	aliases []string
	pushed  time.Time
}

// best is the most precise version among the side's tags: the highest,
// since for one content "7", "7.6" and "7.6.1" read 7.0.0, 7.6.0, 7.6.1.
func (s side) best() (tag string, v *semver.Version) {
	for _, t := range append([]string{s.tag}, s.aliases...) {
		if tv := version(t); tv != nil && (v == nil || tv.GreaterThan(v) || (tv.Equal(v) && precision(tv) > precision(v))) {
			tag, v = t, tv
		}
	}
	return tag, v
}

func (s side) name(basis string) string {
	if basis == BySemver {
		if t, _ := s.best(); t != s.tag {
			return fmt.Sprintf("%s (%s)", s.tag, t)
		}
		return s.tag
	}
	if s.pushed.IsZero() {
		return s.tag
	}
	return fmt.Sprintf("%s (pushed %s)", s.tag, s.pushed.UTC().Format(time.RFC3339))
}

// compareAge is -1 when a is older than b, +1 when newer, 0 when equal or
// unknown, with the basis. Semver decides when both sides have a tag that
// reads as a version and their major.minor.patch differ at the precision
// both give ("7.5-alpine" < "7.6-alpine", "7.5" < "7.6.1"; but "7" against
// "7.6", "7.5-alpine" against "7.5-bookworm" or "1.0.0-rc1" against "1.0.0"
// are undecided). Otherwise the push times decide; an unknown one decides
// nothing.
func compareAge(a, b side) (int, string) {
	_, va := a.best()
	_, vb := b.best()
	if va != nil && vb != nil {
		if c := compareCore(va, vb); c != 0 {
			return c, BySemver
		}
	}
	if a.pushed.IsZero() || b.pushed.IsZero() {
		return 0, ByPushTime
	}
	return a.pushed.Compare(b.pushed), ByPushTime
}

// compareCore compares major.minor.patch as far as both versions spell
// them, leaving out pre-release and build metadata, which Docker tags use
// for flavours ("-alpine").
func compareCore(a, b *semver.Version) int {
	n := min(precision(a), precision(b))
	parts := func(v *semver.Version) [3]uint64 { return [3]uint64{v.Major(), v.Minor(), v.Patch()} }
	pa, pb := parts(a), parts(b)
	return slices.Compare(pa[:n], pb[:n])
}

// precision is how many of major.minor.patch the tag spelt: 1 to 3.
func precision(v *semver.Version) int {
	core := strings.TrimPrefix(strings.TrimPrefix(v.Original(), "v"), "V")
	core, _, _ = strings.Cut(core, "-")
	core, _, _ = strings.Cut(core, "+")
	return min(strings.Count(core, ".")+1, 3)
}

func runs(n int) string {
	if n == 1 {
		return "1 device runs"
	}
	return fmt.Sprintf("%d devices run", n)
}
