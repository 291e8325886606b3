package release

import (
	"fmt"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/platform"
)

// Push is one push as a webhook, the poller or an admin reports it, with
// the repository already normalised (internal/imageref).
type Push struct {
	Registry  string
	Namespace string
	Name      string
	Tag       string
	Digest    string // "" when the delivery carried none and resolution has not run
	MediaType string
	Platforms []platform.Platform
	PushedAt  time.Time // the registry's push time; the caller's now when it gives none
	Source    Source
	Pusher    string
}

// History is what the store holds for a push's image and tag.
type History struct {
	Releases []Release // every release of the image under the tag, in any order
	KnownBad []KnownBad
}

// Action is what a decision asks the caller to store.
type Action string

const (
	ActionNone      Action = "none"      // nothing new: Release is the existing one
	ActionCreate    Action = "create"    // insert Release, the tag's first
	ActionRerelease Action = "rerelease" // insert Release: the tag has new content
	ActionUpdate    Action = "update"    // store Release (it has its ID) in place of the old row
)

// Decision is what Intake, Resolved and ResolveFailed decide.
type Decision struct {
	Action   Action
	Release  Release
	Previous *Release // the tag's latest release before this push, if any
	Reason   string   // for the webhook's answer and the event
}

// Intake decides what a push does to the releases of its tag:
//   - a digest the tag already had as a release is a no-op (however often
//     the push is delivered, by webhook or poll);
//   - a digest new to the tag is a new release, pinned; if the tag has a
//     release still resolving, that one takes the digest instead;
//   - no digest makes a resolving release, to be resolved at once (its
//     NextAttemptAt is now), unless one is resolving already or the push is
//     no later than the tag's latest release (a redelivery);
//   - known-bad content is held until an admin clears it.
func Intake(p Push, h History, now time.Time) Decision {
	prev := h.latest()
	if p.Digest == "" {
		return intakeUnresolved(p, h, prev, now)
	}
	if old := h.withDigest(p.Digest, 0); old != nil {
		return Decision{Action: ActionNone, Release: *old, Previous: prev,
			Reason: fmt.Sprintf("%s is already %s", short(p.Digest), describe(*old))}
	}
	if r := h.resolving(); r != nil {
		return Resolved(*r, Resolution{Digest: p.Digest, MediaType: p.MediaType, Platforms: p.Platforms}, h)
	}
	r := fromPush(p)
	r.Digest, r.Pinned, r.Status = p.Digest, true, StatusReady
	d := Decision{Action: ActionCreate, Release: r, Previous: prev, Reason: "first release of " + tagName(r)}
	if prev != nil {
		d.Action = ActionRerelease
		d.Reason = fmt.Sprintf("%s has new content: %s after %s", tagName(r), short(r.Digest), describe(*prev))
	}
	holdIfBad(&d.Release, h.KnownBad)
	return d
}

func intakeUnresolved(p Push, h History, prev *Release, now time.Time) Decision {
	if r := h.resolving(); r != nil {
		return Decision{Action: ActionNone, Release: *r, Previous: prev,
			Reason: fmt.Sprintf("%s is already being resolved (%s)", tagName(*r), describe(*r))}
	}
	if prev != nil && !p.PushedAt.After(prev.PushedAt) {
		return Decision{Action: ActionNone, Release: *prev, Previous: prev,
			Reason: fmt.Sprintf("no digest and no later push than %s: a redelivery", describe(*prev))}
	}
	r := fromPush(p)
	r.Status, r.NextAttemptAt = StatusResolving, now
	r.Reason = "the push carried no digest: resolving the tag"
	d := Decision{Action: ActionCreate, Release: r, Previous: prev, Reason: r.Reason}
	if prev != nil {
		d.Action = ActionRerelease
	}
	return d
}

func fromPush(p Push) Release {
	return Release{
		Registry: p.Registry, Namespace: p.Namespace, Name: p.Name, Tag: p.Tag,
		MediaType: p.MediaType, Platforms: slices.Clone(p.Platforms), PushedAt: p.PushedAt,
		Source: p.Source, Pusher: p.Pusher,
	}
}

// latest is the tag's newest release by push time, then by ID.
func (h History) latest() *Release {
	var best *Release
	for i := range h.Releases {
		r := &h.Releases[i]
		if best == nil || r.PushedAt.After(best.PushedAt) || (r.PushedAt.Equal(best.PushedAt) && r.ID > best.ID) {
			best = r
		}
	}
	return best
}

// withDigest is the release of the tag with digest, other than the one
// with ID except.
func (h History) withDigest(digest string, except int64) *Release {
	for i := range h.Releases {
		if r := &h.Releases[i]; r.Digest == digest && (except == 0 || r.ID != except) {
			return r
		}
	}
	return nil
}

func (h History) resolving() *Release {
	for i := range h.Releases {
		if h.Releases[i].Status == StatusResolving {
			return &h.Releases[i]
		}
	}
	return nil
}

func tagName(r Release) string { return r.Ref().Familiar() + ":" + r.Tag }

func describe(r Release) string {
	what := "release"
	if r.ID != 0 {
		what = fmt.Sprintf("release %d", r.ID)
	}
	if r.Digest == "" {
		return fmt.Sprintf("%s of %s (%s)", what, tagName(r), r.Status)
	}
	return fmt.Sprintf("%s of %s (%s)", what, tagName(r), short(r.Digest))
}

// short is a digest cut to what people compare: sha256:0123456789ab.
func short(digest string) string {
	if len(digest) > 19 {
		return digest[:19]
	}
	return digest
}
