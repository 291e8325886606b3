// Package overview sums up the fleet per image: of the device apps told to
// run an image, how many run its latest release, are still updating, run
// an older release, or are failing. It is a pure function of the apps'
// target and reported state and of each image's latest release.
package overview

import (
	"sort"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// App is one app of one device: the image it is told to run and what it
// last reported.
type App struct {
	Repository string // the target's normalised repository
	Target     string // the target image reference
	Current    string // the image it reports running; "" before a report
	Digest     string // the digest it reports running, when it knows it
	Status     string // running, failed, exited, …
	Health     string // starting, healthy, unhealthy, none
}

// Latest is an image's newest ready release.
type Latest struct {
	ReleaseID int64  `json:"release_id"`
	Tag       string `json:"tag"`
	Digest    string `json:"digest,omitempty"` // only when the release is pinned
}

// Image is the summary of one image.
type Image struct {
	Repository string  `json:"repository"`
	Latest     *Latest `json:"latest"`    // nil: no release is known
	Devices    int     `json:"devices"`   // device apps told to run it (a device running it in two apps counts twice)
	OnLatest   int     `json:"on_latest"` // settled on the latest release, or on the target when none is known
	Updating   int     `json:"updating"`  // not yet reporting its target
	Behind     int     `json:"behind"`    // settled on an older release
	Failing    int     `json:"failing"`   // reports failed, exited or unhealthy
}

// States an app may be in, as Classify says.
const (
	StateFailing  = "failing"
	StateUpdating = "updating"
	StateOnLatest = "on_latest"
	StateBehind   = "behind"
)

// Classify says where app a stands against latest (nil: none known).
// Failing wins over the rest: a crashing app is news whatever it runs.
func Classify(a App, latest *Latest) string {
	switch {
	case a.Status == "failed" || a.Status == "exited" || a.Status == "dead" || a.Health == "unhealthy":
		return StateFailing
	case !sameImage(a):
		return StateUpdating
	case latest == nil || isLatest(a.Target, *latest):
		return StateOnLatest
	default:
		return StateBehind
	}
}

// Summarise counts apps per repository, in repository order.
func Summarise(apps []App, latest map[string]Latest) []Image {
	byRepo := map[string]*Image{}
	for _, a := range apps {
		img := byRepo[a.Repository]
		if img == nil {
			img = &Image{Repository: a.Repository}
			if l, ok := latest[a.Repository]; ok {
				img.Latest = &l
			}
			byRepo[a.Repository] = img
		}
		img.Devices++
		switch Classify(a, img.Latest) {
		case StateFailing:
			img.Failing++
		case StateUpdating:
			img.Updating++
		case StateOnLatest:
			img.OnLatest++
		default:
			img.Behind++
		}
	}
	out := make([]Image, 0, len(byRepo))
	for _, img := range byRepo {
		out = append(out, *img)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Repository < out[j].Repository })
	return out
}

// sameImage reports whether the app runs its target: the same repository
// and tag, and the same digest where both are known.
func sameImage(a App) bool {
	if a.Current == "" {
		return false
	}
	want, err1 := imageref.Parse(a.Target)
	have, err2 := imageref.Parse(a.Current)
	if err1 != nil || err2 != nil {
		return a.Current == a.Target
	}
	if have.Digest == "" {
		have.Digest = a.Digest
	}
	if want.Repository() != have.Repository() || (want.Tag != "" && want.Tag != have.Tag) {
		return false
	}
	return want.Digest == "" || have.Digest == "" || want.Digest == have.Digest
}

// isLatest reports whether the target reference is the latest release: its
// digest when both are pinned, else its tag.
func isLatest(target string, l Latest) bool {
	ref, err := imageref.Parse(target)
	if err != nil {
		return false
	}
	if ref.Digest != "" && l.Digest != "" {
		return ref.Digest == l.Digest
	}
	return ref.Tag == l.Tag
}
