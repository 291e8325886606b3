package release

import "fmt"

// KnownBad is content that was rolled back and not yet cleared by an
// admin. A pinned release is matched by digest alone, under any image or
// tag: it is the same content. An unpinned release has no digest, so it is
// matched by image and tag, against any entry of them: what the tag now
// holds cannot be told apart from what was rolled back.
type KnownBad struct {
	Digest     string `json:"digest,omitempty"` // "" when the rolled-back release was unpinned
	Repository string `json:"repository"`       // normalised: docker.io/library/redis
	Tag        string `json:"tag"`
	Reason     string `json:"reason"` // "rolled back by rollout 12: 4 of 10 devices failed"
}

// MatchKnownBad returns the entry of bad that r's content falls under.
func MatchKnownBad(r Release, bad []KnownBad) (KnownBad, bool) {
	for _, b := range bad {
		switch {
		case r.Digest != "" && b.Digest == r.Digest:
			return b, true
		case r.Digest == "" && b.Repository == r.Repository() && b.Tag == r.Tag:
			return b, true
		}
	}
	return KnownBad{}, false
}

// holdIfBad holds a ready r whose content is known bad.
func holdIfBad(r *Release, bad []KnownBad) {
	if r.Status != StatusReady {
		return
	}
	if b, ok := MatchKnownBad(*r, bad); ok {
		r.Status, r.Hold = StatusHeld, HoldKnownBad
		r.Reason = "known bad until an admin clears it: " + b.Reason
	}
}

// MarkKnownBad is what a rollback does to its release: the release becomes
// known_bad, and the returned entry keeps its content from starting another
// rollout.
func MarkKnownBad(r Release, reason string) (Release, KnownBad) {
	r.Status, r.Hold, r.Reason = StatusKnownBad, HoldNone, reason
	return r, KnownBad{Digest: r.Digest, Repository: r.Repository(), Tag: r.Tag, Reason: reason}
}

// Clear is what an admin's clearance does to a release that was rolled back
// or held as known bad: it is ready again. Any other release is returned
// unchanged with ok false.
func Clear(r Release, by string) (Release, bool) {
	if r.Status != StatusKnownBad && (r.Status != StatusHeld || r.Hold != HoldKnownBad) {
		return r, false
	}
	r.Status, r.Hold = StatusReady, HoldNone
	r.Reason = fmt.Sprintf("cleared by %s", by)
	return r, true
}
