package release

import (
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/platform"
)

var (
	t0   = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	dgA  = "sha256:" + strings.Repeat("a", 64)
	dgB  = "sha256:" + strings.Repeat("b", 64)
	dgC  = "sha256:" + strings.Repeat("c", 64)
	amd  = platform.MustParse("linux/amd64")
	arm  = platform.MustParse("linux/arm64")
	armv = platform.MustParse("linux/arm/v7")
)

func push(tag, digest string, at time.Time) Push {
	return Push{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: tag, Digest: digest,
		MediaType: "application/vnd.oci.image.index.v1+json", Platforms: []platform.Platform{amd, arm},
		PushedAt: at, Source: SourceWebhook, Pusher: "ci"}
}

func rel(id int64, tag, digest string, at time.Time, st Status) Release {
	return Release{ID: id, Registry: "docker.io", Namespace: "library", Name: "redis", Tag: tag,
		Digest: digest, PushedAt: at, Status: st, Pinned: digest != "", Source: SourceWebhook}
}

type intakeCase struct {
	name       string
	push       Push
	history    []Release
	action     Action
	status     Status
	id         int64  // of the release decided about
	previous   int64  // 0: none
	reason     string // a part of Decision.Reason
	pinned     bool
	hold       Hold
	nextAttemp time.Time
}

// intakeNow is when the intake cases run.
var intakeNow = t0.Add(time.Hour)

var intakeCases = []intakeCase{
	{name: "first push", push: push("7.6", dgA, t0), action: ActionCreate, status: StatusReady,
		reason: "first release of redis:7.6", pinned: true},
	{name: "same digest again", push: push("7.6", dgA, t0.Add(time.Minute)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady)},
		action:  ActionNone, status: StatusReady, id: 5, previous: 5, reason: "is already release 5 of redis:7.6", pinned: true},
	{name: "tag moved back to old content", push: push("7.6", dgA, t0.Add(2*time.Hour)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady), rel(6, "7.6", dgB, t0.Add(time.Hour), StatusReady)},
		action:  ActionNone, status: StatusReady, id: 5, previous: 6, pinned: true},
	{name: "re-push with new content", push: push("7.6", dgB, t0.Add(time.Hour)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady)},
		action:  ActionRerelease, status: StatusReady, previous: 5, reason: "redis:7.6 has new content: sha256:bbbbbbbbbbbb after release 5", pinned: true},
	{name: "known-bad digest, from another repository", push: push("7.7", dgC, t0),
		action: ActionCreate, status: StatusHeld, hold: HoldKnownBad, pinned: true},
	{name: "tag only, first", push: push("7.6", "", t0), action: ActionCreate, status: StatusResolving,
		reason: "no digest", nextAttemp: intakeNow},
	{name: "tag only while resolving", push: push("7.6", "", t0.Add(time.Minute)),
		history: []Release{rel(7, "7.6", "", t0, StatusResolving)},
		action:  ActionNone, status: StatusResolving, id: 7, previous: 7, reason: "already being resolved"},
	{name: "tag only redelivered", push: push("7.6", "", t0),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady)},
		action:  ActionNone, status: StatusReady, id: 5, previous: 5, reason: "redelivery", pinned: true},
	{name: "tag only, a later push", push: push("7.6", "", t0.Add(time.Minute)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady)},
		action:  ActionRerelease, status: StatusResolving, previous: 5, nextAttemp: intakeNow},
	{name: "digest completes the resolving release", push: push("7.6", dgB, t0.Add(time.Minute)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady), rel(7, "7.6", "", t0.Add(time.Minute), StatusResolving)},
		action:  ActionUpdate, status: StatusReady, id: 7, previous: 5, reason: "resolved to sha256:bbbb", pinned: true},
	{name: "digest of the resolving release is old content", push: push("7.6", dgA, t0.Add(time.Minute)),
		history: []Release{rel(5, "7.6", dgA, t0, StatusReady), rel(7, "7.6", "", t0.Add(time.Minute), StatusResolving)},
		action:  ActionNone, status: StatusReady, id: 5, previous: 7, pinned: true}, // the resolution goes on
}

func TestIntake(t *testing.T) {
	bad := []KnownBad{{Digest: dgC, Repository: "ghcr.io/other/cache", Tag: "x", Reason: "rolled back by rollout 9"}}
	for _, c := range intakeCases {
		t.Run(c.name, func(t *testing.T) {
			d := Intake(c.push, History{Releases: c.history, KnownBad: bad}, intakeNow)
			r := d.Release
			if d.Action != c.action || r.Status != c.status || r.ID != c.id || r.Pinned != c.pinned || r.Hold != c.hold {
				t.Fatalf("got %s %s id=%d pinned=%v hold=%q (%s), want %s %s id=%d pinned=%v hold=%q",
					d.Action, r.Status, r.ID, r.Pinned, r.Hold, d.Reason, c.action, c.status, c.id, c.pinned, c.hold)
			}
			if prev := previousID(d); prev != c.previous {
				t.Errorf("previous = %d, want %d", prev, c.previous)
			}
			if !strings.Contains(d.Reason, c.reason) {
				t.Errorf("reason %q lacks %q", d.Reason, c.reason)
			}
			if !r.NextAttemptAt.Equal(c.nextAttemp) {
				t.Errorf("next attempt %v, want %v", r.NextAttemptAt, c.nextAttemp)
			}
		})
	}
}

func previousID(d Decision) int64 {
	if d.Previous == nil {
		return 0
	}
	return d.Previous.ID
}

// TestIntakeNewRelease checks every field a new release takes from its push.
func TestIntakeNewRelease(t *testing.T) {
	p := push("7.6-alpine", dgA, t0)
	d := Intake(p, History{}, t0)
	r := d.Release
	if r.Repository() != "docker.io/library/redis" || r.Tag != "7.6-alpine" || r.MediaType != p.MediaType ||
		!r.PushedAt.Equal(t0) || r.Source != SourceWebhook || r.Pusher != "ci" || len(r.Platforms) != 2 {
		t.Fatalf("release %+v does not carry the push %+v", r, p)
	}
	if got, want := r.Reference(), "docker.io/library/redis:7.6-alpine@"+dgA; got != want {
		t.Errorf("Reference() = %s, want %s", got, want)
	}
	if ok, why := r.Rollable(); !ok {
		t.Errorf("a ready release is not rollable: %s", why)
	}
	p.Platforms[0] = arm
	if r.Platforms[0] != amd {
		t.Error("the release shares the push's platform slice")
	}
}

// TestIntakeKnownBad: content that was rolled back is held wherever it is
// pushed again, and an unpinned release by its image and tag.
func TestIntakeKnownBad(t *testing.T) {
	rolled, entry := MarkKnownBad(rel(5, "7.6", dgA, t0, StatusReady), "rolled back by rollout 3")
	if rolled.Status != StatusKnownBad {
		t.Fatalf("MarkKnownBad status %s", rolled.Status)
	}
	if ok, _ := rolled.Rollable(); ok {
		t.Fatal("a known-bad release is rollable")
	}
	h := History{KnownBad: []KnownBad{entry}}
	d := Intake(push("stable", dgA, t0.Add(time.Hour)), h, t0)
	if d.Release.Status != StatusHeld || d.Release.Hold != HoldKnownBad || !strings.Contains(d.Release.Reason, "rollout 3") {
		t.Fatalf("same content under another tag: %+v", d.Release)
	}
	if d := Intake(push("7.6", dgB, t0.Add(time.Hour)), h, t0); d.Release.Status != StatusReady {
		t.Fatalf("new content of the bad tag is %s: %s", d.Release.Status, d.Release.Reason)
	}
	cleared, ok := Clear(d.Release, "alice")
	if !ok || cleared.Status != StatusReady || cleared.Hold != HoldNone || cleared.Reason != "cleared by alice" {
		t.Fatalf("Clear: %v %+v", ok, cleared)
	}
	if _, ok := Clear(rel(1, "7.6", dgB, t0, StatusReady), "alice"); ok {
		t.Fatal("Clear of a ready release reported a change")
	}
	if again, ok := Clear(rolled, "bob"); !ok || again.Status != StatusReady {
		t.Fatalf("Clear of the rolled-back release: %v %+v", ok, again)
	}
	unpinned := rel(8, "7.6", "", t0, StatusReady)
	if _, ok := MatchKnownBad(unpinned, h.KnownBad); !ok {
		t.Fatal("an unpinned release of the bad image:tag is not matched")
	}
	unpinned.Tag = "7.7"
	if _, ok := MatchKnownBad(unpinned, h.KnownBad); ok {
		t.Fatal("an unpinned release of another tag is matched")
	}
}

func TestStatusValid(t *testing.T) {
	for _, s := range Statuses {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	for _, s := range []Status{"", "Ready", "rolled_back"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
}
