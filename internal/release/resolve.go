package release

import (
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/platform"
)

// Backoff of resolution retries: the first retry after FirstRetry, each
// next one twice as late, never later than MaxRetry. No jitter: the
// resolver serves all releases from one loop, so retries do not stampede.
const (
	FirstRetry = 30 * time.Second
	MaxRetry   = 30 * time.Minute
)

// NextAttempt is when a release that failed to resolve attempts times is
// tried again. attempts ≤ 0 means now.
func NextAttempt(attempts int, now time.Time) time.Time {
	if attempts <= 0 {
		return now
	}
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetry; i++ {
		d *= 2
	}
	return now.Add(min(d, MaxRetry))
}

// Resolution is what the registry said the tag points at.
type Resolution struct {
	Digest    string
	MediaType string
	Platforms []platform.Platform
}

// Resolved completes a resolving release r: pinned and ready, or held if
// the content is known bad, or a duplicate if the tag already had the
// digest as another release. The decision is always an update of r.
func Resolved(r Release, res Resolution, h History) Decision {
	d := Decision{Action: ActionUpdate, Previous: h.latestExcept(r.ID)}
	if old := h.withDigest(res.Digest, r.ID); old != nil {
		r.Status, r.Hold, r.NextAttemptAt = StatusDuplicate, HoldNone, time.Time{}
		r.Reason = fmt.Sprintf("resolved to %s, which is already %s", short(res.Digest), describe(*old))
		d.Release, d.Reason = r, r.Reason
		return d
	}
	r.Digest, r.MediaType, r.Platforms = res.Digest, res.MediaType, res.Platforms
	r.Pinned, r.Status, r.Hold, r.NextAttemptAt = true, StatusReady, HoldNone, time.Time{}
	r.Reason = "resolved to " + short(res.Digest)
	holdIfBad(&r, h.KnownBad)
	d.Release, d.Reason = r, r.Reason
	return d
}

// Failure is a failed resolution.
type Failure struct {
	Declared   bool          // the registry is declared: never fall back to the tag
	NotFound   bool          // the registry says the tag does not exist
	RetryAfter time.Duration // the registry asked for this wait (registry.RetryAfter)
	Cause      string        // shown on the release; must hold no secret (registry errors do not)
}

// ResolveFailed records a failed resolution of r. A tag that does not
// exist refuses the release. On a declared registry the release stays
// resolving and is tried again with backoff (never rolled out unpinned).
// On an undeclared public registry resolution was best effort: the
// release becomes ready unpinned, so devices get the tag.
func ResolveFailed(r Release, f Failure, h History, now time.Time) Decision {
	r.Attempts++
	switch {
	case f.NotFound:
		r.Status, r.NextAttemptAt = StatusRefused, time.Time{}
		r.Reason = "the registry has no such tag: " + f.Cause
	case !f.Declared:
		r.Status, r.Pinned, r.NextAttemptAt = StatusReady, false, time.Time{}
		r.Reason = "unpinned: the tag could not be resolved on an undeclared registry (" + f.Cause + "); devices get the tag"
		holdIfBad(&r, h.KnownBad)
	default:
		next := NextAttempt(r.Attempts, now)
		if wait := now.Add(f.RetryAfter); wait.After(next) {
			next = wait
		}
		r.Status, r.NextAttemptAt = StatusResolving, next
		r.Reason = fmt.Sprintf("resolution failed %d times (%s); next attempt at %s",
			r.Attempts, f.Cause, next.UTC().Format(time.RFC3339))
	}
	return Decision{Action: ActionUpdate, Release: r, Previous: h.latestExcept(r.ID), Reason: r.Reason}
}

// Due reports whether a resolving release should be tried at now.
func Due(r Release, now time.Time) bool {
	return r.Status == StatusResolving && !r.NextAttemptAt.After(now)
}

func (h History) latestExcept(id int64) *Release {
	others := History{}
	for _, r := range h.Releases {
		if id == 0 || r.ID != id {
			others.Releases = append(others.Releases, r)
		}
	}
	return others.latest()
}
