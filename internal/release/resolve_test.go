package release

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/platform"
)

func TestNextAttempt(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{
		{math.MinInt, 0}, {-1, 0}, {0, 0}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute},
		{6, 16 * time.Minute}, {7, 30 * time.Minute}, {8, 30 * time.Minute}, {math.MaxInt, 30 * time.Minute},
	} {
		if got := NextAttempt(c.attempts, t0).Sub(t0); got != c.want {
			t.Errorf("NextAttempt(%d) = now+%s, want now+%s", c.attempts, got, c.want)
		}
	}
}

func TestResolveFailed(t *testing.T) {
	resolving := rel(7, "7.6", "", t0, StatusResolving)
	resolving.Attempts = 2
	bad := []KnownBad{{Repository: "docker.io/library/redis", Tag: "7.6", Reason: "rolled back by rollout 4"}}
	cases := []struct {
		name     string
		f        Failure
		bad      []KnownBad
		status   Status
		hold     Hold
		next     time.Duration // after now; -1: zero
		reason   string
		rollable bool
	}{
		{name: "declared, unreachable", f: Failure{Declared: true, Cause: "registry unavailable"},
			status: StatusResolving, next: 2 * time.Minute, reason: "resolution failed 3 times (registry unavailable); next attempt at 2026-11-30T12:02:00Z"},
		{name: "declared, longer Retry-After", f: Failure{Declared: true, Cause: "rate limited", RetryAfter: time.Hour},
			status: StatusResolving, next: time.Hour},
		{name: "declared, shorter Retry-After", f: Failure{Declared: true, RetryAfter: time.Second},
			status: StatusResolving, next: 2 * time.Minute},
		{name: "undeclared falls back to the tag", f: Failure{Cause: "registry refused the credentials"},
			status: StatusReady, next: -1, reason: "unpinned", rollable: true},
		{name: "undeclared, tag known bad", f: Failure{Cause: "timeout"}, bad: bad,
			status: StatusHeld, hold: HoldKnownBad, next: -1, reason: "rollout 4"},
		{name: "no such tag", f: Failure{Declared: true, NotFound: true, Cause: "not found in the registry"},
			status: StatusRefused, next: -1, reason: "no such tag"},
		{name: "no such tag, undeclared", f: Failure{NotFound: true}, status: StatusRefused, next: -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := ResolveFailed(resolving, c.f, History{Releases: []Release{resolving}, KnownBad: c.bad}, t0)
			r := d.Release
			if d.Action != ActionUpdate || r.ID != 7 || r.Status != c.status || r.Hold != c.hold || r.Attempts != 3 || r.Pinned {
				t.Fatalf("got %s %+v", d.Action, r)
			}
			want := time.Time{}
			if c.next >= 0 {
				want = t0.Add(c.next)
			}
			if !r.NextAttemptAt.Equal(want) {
				t.Errorf("next attempt %v, want %v", r.NextAttemptAt, want)
			}
			if !strings.Contains(r.Reason, c.reason) || d.Reason != r.Reason {
				t.Errorf("reason %q (decision %q) lacks %q", r.Reason, d.Reason, c.reason)
			}
			if ok, _ := r.Rollable(); ok != c.rollable {
				t.Errorf("rollable = %v", ok)
			}
			if d.Previous != nil {
				t.Errorf("previous = %+v: the release itself is not its previous", d.Previous)
			}
		})
	}
}

// TestDeclaredNeverUnpinned: however often resolution fails on a declared
// registry, the release waits, never rollable, retried no later than
// MaxRetry apart.
func TestDeclaredNeverUnpinned(t *testing.T) {
	r := rel(7, "7.6", "", t0, StatusResolving)
	now := t0
	for i := range 100 {
		if !Due(r, now) {
			t.Fatalf("attempt %d: not due at its next attempt %v", i, r.NextAttemptAt)
		}
		r = ResolveFailed(r, Failure{Declared: true, Cause: "down"}, History{}, now).Release
		if ok, _ := r.Rollable(); ok || r.Status != StatusResolving || r.Pinned {
			t.Fatalf("attempt %d: %+v", i, r)
		}
		if gap := r.NextAttemptAt.Sub(now); gap <= 0 || gap > MaxRetry {
			t.Fatalf("attempt %d: next in %s", i, gap)
		}
		if Due(r, now) {
			t.Fatalf("attempt %d: due again at once", i)
		}
		now = r.NextAttemptAt
	}
	if r.Attempts != 100 {
		t.Fatalf("attempts = %d", r.Attempts)
	}
}

func TestResolved(t *testing.T) {
	resolving := rel(7, "7.6", "", t0.Add(time.Minute), StatusResolving)
	resolving.Attempts, resolving.NextAttemptAt = 2, t0.Add(time.Hour)
	old := rel(5, "7.6", dgA, t0, StatusReady)
	res := Resolution{Digest: dgB, MediaType: "application/vnd.oci.image.index.v1+json", Platforms: []platform.Platform{amd, armv}}

	d := Resolved(resolving, res, History{Releases: []Release{old, resolving}})
	r := d.Release
	if d.Action != ActionUpdate || r.ID != 7 || r.Status != StatusReady || !r.Pinned || r.Digest != dgB ||
		r.MediaType != res.MediaType || len(r.Platforms) != 2 || !r.NextAttemptAt.IsZero() || r.Attempts != 2 {
		t.Fatalf("resolved: %+v", r)
	}
	if d.Previous == nil || d.Previous.ID != 5 {
		t.Fatalf("previous = %+v, want release 5", d.Previous)
	}
	if got, want := r.Reference(), "docker.io/library/redis:7.6@"+dgB; got != want {
		t.Fatalf("Reference() = %s, want %s", got, want)
	}

	res.Digest = dgA
	d = Resolved(resolving, res, History{Releases: []Release{old, resolving}})
	if d.Release.Status != StatusDuplicate || d.Release.Digest != "" || !strings.Contains(d.Reason, "already release 5") {
		t.Fatalf("resolved to old content: %+v (%s)", d.Release, d.Reason)
	}

	res.Digest = dgB
	d = Resolved(resolving, res, History{Releases: []Release{old, resolving}, KnownBad: []KnownBad{{Digest: dgB, Reason: "bad"}}})
	if d.Release.Status != StatusHeld || d.Release.Hold != HoldKnownBad || !d.Release.Pinned {
		t.Fatalf("resolved to known-bad content: %+v", d.Release)
	}
}
