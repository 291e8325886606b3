// Package release holds the pure decisions about releases: one pushed
// content (a digest) of an image under a tag. It decides what a push does
// to the releases a tag already has, when a failed resolution is tried
// again, which devices a release can run on, whether it would move a
// policy's devices backwards, and which tags the poller looks at. It reads
// no clock and does no I/O: callers pass now and what the store holds.
package release

import (
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/platform"
)

// Status is where a release stands. Statuses lists every value.
type Status string

const (
	// StatusResolving: the push carried no digest and the registry has not
	// told us one yet; it is retried at NextAttemptAt. Never rolled out.
	StatusResolving Status = "resolving"
	// StatusReady: the content is known (or, for an undeclared public
	// registry, given up on and unpinned); rules and rollouts may act on it.
	StatusReady Status = "ready"
	// StatusHeld: waiting for something named in Hold and Reason: a known-bad
	// clearance, missing platforms, a rule, a cost limit, the mirror's copy.
	StatusHeld Status = "held"
	// StatusRefused: a rule refused it, or the tag does not exist.
	StatusRefused Status = "refused"
	// StatusKnownBad: it was rolled back; the same content starts no rollout
	// until an admin clears it.
	StatusKnownBad Status = "known_bad"
	// StatusDuplicate: it resolved to content the tag already had as a
	// release, so it is nothing new.
	StatusDuplicate Status = "duplicate"
)

// Statuses lists every release status.
var Statuses = []Status{StatusResolving, StatusReady, StatusHeld, StatusRefused, StatusKnownBad, StatusDuplicate}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Hold says what a held release waits for.
type Hold string

const (
	HoldNone      Hold = ""
	HoldKnownBad  Hold = "known_bad"         // an admin clears the content
	HoldPlatforms Hold = "missing_platforms" // require_all_platforms and a platform is missing
	HoldRules     Hold = "rules"             // a supply-chain rule waits (rules.Held)
	HoldCost      Hold = "cost"              // a cost or download limit (package cost)
	HoldMirroring Hold = "mirroring"         // being copied into the mirror; devices get the copy once verified
)

// Source says how Airlock learnt of a push.
type Source string

const (
	SourceWebhook Source = "webhook"
	SourcePoll    Source = "poll"
	SourceManual  Source = "manual"
)

// Sources lists every source.
var Sources = []Source{SourceWebhook, SourcePoll, SourceManual}

// Release is one pushed content of an image under a tag.
type Release struct {
	ID            int64               `json:"id,omitempty"`
	Registry      string              `json:"registry"`  // canonical host, "docker.io"
	Namespace     string              `json:"namespace"` // "library"; "" for single-component names
	Name          string              `json:"name"`
	Tag           string              `json:"tag"`
	Digest        string              `json:"digest,omitempty"` // the index digest for a multi-arch image
	MediaType     string              `json:"media_type,omitempty"`
	Platforms     []platform.Platform `json:"platforms"`
	PushedAt      time.Time           `json:"pushed_at"` // the registry's push time, else when we learnt of it
	Source        Source              `json:"source"`
	Pusher        string              `json:"pusher,omitempty"`
	Status        Status              `json:"status"`
	Hold          Hold                `json:"hold,omitempty"`
	Reason        string              `json:"reason,omitempty"`
	Pinned        bool                `json:"pinned"`
	Attempts      int                 `json:"attempts"`                 // failed resolutions so far
	NextAttemptAt time.Time           `json:"next_attempt_at,omitzero"` // when resolving: the next try
}

// Ref is the release's image reference with its tag and, when pinned,
// its digest.
func (r Release) Ref() imageref.Ref {
	ref := imageref.Ref{Registry: r.Registry, Namespace: r.Namespace, Name: r.Name, Tag: r.Tag}
	if r.Pinned {
		ref.Digest = r.Digest
	}
	return ref
}

// Repository is the normalised repository, "docker.io/library/redis".
func (r Release) Repository() string { return r.Ref().Repository() }

// Reference is what devices are sent: repo:tag@sha256:… when pinned (the
// index digest for a multi-arch image), repo:tag when not.
func (r Release) Reference() string { return r.Ref().String() }

// Rollable reports whether the release may start a rollout, and why not.
// Only a ready release may; an unpinned one is ready only when it comes
// from an undeclared registry (see ResolveFailed).
func (r Release) Rollable() (bool, string) {
	if r.Status != StatusReady {
		return false, "release is " + string(r.Status)
	}
	return true, ""
}
