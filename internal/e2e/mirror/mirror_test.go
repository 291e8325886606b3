package mirror_test

import (
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// A three-platform index is copied whole into the mirror, then every
// device is sent the mirror's reference with the same digest; with the
// upstream registry stopped after the copy, devices are still served and
// can pull it all from the mirror, and reporting the mirror's reference
// completes the rollout.
func TestMirroredWholeAndServedWithUpstreamStopped(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := start(t, dbURL)
		up, mirror := inProcess(t), inProcess(t)
		_, secret := f.declare(host(up), nil)
		f.declare(host(mirror), map[string]any{"mirror": true})
		repo := host(up) + "/acme/agent"
		f.approve(repo, nil)
		for uuid, p := range map[string]string{"pc": "linux/amd64", "pi4": "linux/arm64", "pi3": "linux/arm/v7"} {
			f.device(uuid, p, repo+":1.0")
		}
		digest := pushIndex(t, host(up), "acme/agent", "2.0")
		answer := f.s.Must(200, "POST", "/api/v1/webhooks/generic?token="+secret, map[string]any{"image": repo + ":2.0"}).Map(t)
		id := releaseOf(t, answer)
		if answer["rollout"] != nil {
			t.Fatalf("rolled out before the copy: %v", answer)
		}
		want := mirrorRef(host(mirror), host(up), "acme/agent", "2.0", digest)
		eventually(t, 15*time.Second, "devices sent the mirror's reference", func() bool {
			return f.poll("pc") == want && f.poll("pi4") == want && f.poll("pi3") == want
		})
		holdsWhole(t, want)
		rel := f.release(id)
		if rel.Status != "ready" || rel.RolloutID == nil || rel.Mirror == nil || rel.Mirror.State != "verified" ||
			rel.Mirror.Reference != want || rel.Mirror.BytesCopied == 0 || rel.Mirror.BlobsDone != rel.Mirror.BlobsTotal {
			t.Fatalf("release %+v mirror %+v", rel, rel.Mirror)
		}

		up.Close()
		for _, uuid := range []string{"pc", "pi4", "pi3"} {
			if got := f.poll(uuid); got != want {
				t.Fatalf("%s is told %s with upstream down, want %s", uuid, got, want)
			}
		}
		holdsWhole(t, want) // what a device pulls, from the mirror alone
		var ro struct{ Status, Image string }
		for _, uuid := range []string{"pc", "pi4", "pi3"} {
			f.report(uuid, want)
		}
		eventually(t, 15*time.Second, "the rollout completed on the mirror's reference", func() bool {
			f.s.Must(200, "GET", "/api/v1/rollouts/"+strconv.FormatInt(*rel.RolloutID, 10), nil).JSON(t, &ro)
			return ro.Status == "completed"
		})
		if ro.Image != want {
			t.Fatalf("rollout image %s, want %s", ro.Image, want)
		}
		metrics := f.s.Must(200, "GET", "/metrics", nil).Body
		if m := regexp.MustCompile(`airlock_mirrored_bytes_total (\d\S*)`).FindSubmatch(metrics); m == nil || string(m[1]) == "0" {
			t.Fatalf("no bytes mirrored in the metrics")
		}
	})
}

// With the mirror down the release waits as mirroring, the failure and the
// attempts visible, and no device is sent the mirror's reference; once the
// mirror is back, the retry (after its backoff) copies it and devices get it.
func TestMirrorDownReleaseWaitsThenRetries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		var skew atomic.Int64
		var down atomic.Bool
		down.Store(true)
		f := start(t, dbURL, &skew)
		up, mirror := inProcess(t), flaky(t, &down)
		_, secret := f.declare(host(up), nil)
		f.declare(host(mirror), map[string]any{"mirror": true})
		repo := host(up) + "/acme/agent"
		f.approve(repo, nil)
		f.device("pc", "linux/amd64", repo+":1.0")
		digest := pushIndex(t, host(up), "acme/agent", "2.0")
		answer := f.s.Must(200, "POST", "/api/v1/webhooks/generic?token="+secret, map[string]any{"image": repo + ":2.0"}).Map(t)
		id := releaseOf(t, answer)
		var rel release
		eventually(t, 15*time.Second, "a failed copy recorded", func() bool {
			rel = f.release(id)
			return rel.Mirror != nil && rel.Mirror.Attempts > 0
		})
		if rel.Status != "held" || rel.Hold != "mirroring" || rel.RolloutID != nil || rel.Mirror.State != "retrying" ||
			rel.Mirror.LastError == "" {
			t.Fatalf("release %+v mirror %+v", rel, rel.Mirror)
		}
		time.Sleep(300 * time.Millisecond) // more rounds: still nothing sent, no retry before the backoff
		if got := f.poll("pc"); got != repo+":1.0" {
			t.Fatalf("pc is told %s while the mirror lacks the release", got)
		}
		var page struct{ Total int }
		f.s.Must(200, "GET", "/api/v1/rollouts", nil).JSON(t, &page)
		if rel = f.release(id); page.Total != 0 || rel.Mirror.Attempts != 1 {
			t.Fatalf("%d rollouts, %d attempts while the mirror is down and the backoff runs", page.Total, rel.Mirror.Attempts)
		}

		down.Store(false)
		skew.Store(int64(time.Minute)) // past the first retry's backoff
		want := mirrorRef(host(mirror), host(up), "acme/agent", "2.0", digest)
		eventually(t, 15*time.Second, "the retry copied it and pc was sent "+want, func() bool { return f.poll("pc") == want })
		if rel = f.release(id); rel.Status != "ready" || rel.Mirror.State != "verified" || rel.Mirror.Attempts != 1 {
			t.Fatalf("release %+v mirror %+v", rel, rel.Mirror)
		}
	})
}

// A policy with mirror: false rolls out the upstream reference at once.
func TestPolicyOptsOutOfMirroring(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := start(t, dbURL)
		up, mirror := inProcess(t), inProcess(t)
		_, secret := f.declare(host(up), nil)
		f.declare(host(mirror), map[string]any{"mirror": true})
		repo := host(up) + "/acme/agent"
		f.approve(repo, map[string]any{"mirror": false})
		f.device("pc", "linux/amd64", repo+":1.0")
		digest := pushIndex(t, host(up), "acme/agent", "2.0")
		answer := f.s.Must(200, "POST", "/api/v1/webhooks/generic?token="+secret, map[string]any{"image": repo + ":2.0"}).Map(t)
		if answer["rollout"] == nil || f.poll("pc") != repo+":2.0@"+digest {
			t.Fatalf("answer %v; pc is told %s", answer, f.poll("pc"))
		}
		ref, err := name.ParseReference(mirrorRef(host(mirror), host(up), "acme/agent", "2.0", digest), name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := remote.Head(ref); err == nil {
			t.Fatal("an opted-out release was copied to the mirror")
		}
	})
}

// At most one registry is the mirror.
func TestOneMirror(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := start(t, dbURL)
		f.declare("mirror-a.example", map[string]any{"mirror": true})
		r := f.s.Admin("POST", "/api/v1/registries", map[string]any{"host": "mirror-b.example", "kind": "distribution", "mirror": true})
		if r.Status != http.StatusConflict {
			t.Fatalf("a second mirror: %d %s", r.Status, r.Body)
		}
	})
}

// A staged rollout sends every batch the mirror's reference: the second
// batch starts once the first reports it running, and the next push of the
// repository still finds the devices (they stay filed under upstream's
// repository).
func TestStagedBatchesGetTheMirrorsReference(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := start(t, dbURL)
		up, mirror := inProcess(t), inProcess(t)
		_, secret := f.declare(host(up), nil)
		f.declare(host(mirror), map[string]any{"mirror": true})
		repo := host(up) + "/acme/agent"
		f.approve(repo, map[string]any{"update_strategy": "staged", "batch_size": 1})
		f.device("a", "linux/amd64", repo+":1.0")
		f.device("b", "linux/amd64", repo+":1.0")
		for _, tag := range []string{"2.0", "3.0"} {
			digest := pushIndex(t, host(up), "acme/agent", tag)
			f.s.Must(200, "POST", "/api/v1/webhooks/generic?token="+secret, map[string]any{"image": repo + ":" + tag})
			want := mirrorRef(host(mirror), host(up), "acme/agent", tag, digest)
			eventually(t, 15*time.Second, "both batches sent "+want, func() bool {
				for _, uuid := range []string{"a", "b"} {
					if got := f.poll(uuid); got == want {
						f.report(uuid, want)
					}
				}
				return f.poll("a") == want && f.poll("b") == want
			})
		}
	})
}
