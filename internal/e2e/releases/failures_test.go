package releases_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// flaky is go-containerregistry's in-process registry behind what real
// ones do: basic auth, 429 with Retry-After, being down.
type flaky struct {
	mu         sync.Mutex
	down       bool
	user, pass string
	limited    int // manifest requests still to answer 429
	served429  int
	h          http.Handler
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	down, limited := f.down, f.limited > 0 && strings.Contains(r.URL.Path, "/manifests/")
	if limited {
		f.limited--
		f.served429++
	}
	f.mu.Unlock()
	if u, p, ok := r.BasicAuth(); f.user != "" && (!ok || u != f.user || p != f.pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch {
	case down:
		w.WriteHeader(http.StatusServiceUnavailable)
	case limited:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	default:
		f.h.ServeHTTP(w, r)
	}
}

func (f *flaky) set(fn func(*flaky)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// startFlaky runs the registry and returns it with its host.
func startFlaky(t *testing.T, user, pass string) (*flaky, string) {
	f := &flaky{user: user, pass: pass, h: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, strings.TrimPrefix(srv.URL, "http://")
}

// push writes a random image as host/repo:tag and returns its digest.
func push(t *testing.T, host, repo, tag, user, pass string) string {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	auth := authn.Anonymous
	if user != "" {
		auth = &authn.Basic{Username: user, Password: pass}
	}
	if err := remote.Write(ref, img, remote.WithAuth(auth), remote.WithContext(context.Background())); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

// Pull credentials of a declared registry are used: a tag-only push to a
// registry that wants basic auth is resolved and rolled out by digest.
func TestResolvesWithBasicAuth(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, time.Hour)
		_, host := startFlaky(t, "puller", "s3cret-pull-password")
		_, secret := f.declare(host, map[string]any{"username": "puller", "password": "s3cret-pull-password"})
		repo := host + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0")
		digest := push(t, host, "acme/sensor", "2.0", "puller", "s3cret-pull-password")
		if v := f.hook(secret, repo+":2.0"); v["rollout"] == nil || f.target("pc") != repo+":2.0@"+digest {
			t.Fatalf("answer %v; pc runs %s", v, f.target("pc"))
		}
	})
}

// A 429 with Retry-After is waited out, and the push still resolves.
func TestResolvesThroughRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, time.Hour)
		reg, host := startFlaky(t, "", "")
		_, secret := f.declare(host, nil)
		repo := host + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0")
		digest := push(t, host, "acme/sensor", "2.0", "", "")
		reg.set(func(r *flaky) { r.limited = 1 })
		if v := f.hook(secret, repo+":2.0"); v["rollout"] == nil || f.target("pc") != repo+":2.0@"+digest {
			t.Fatalf("answer %v; pc runs %s", v, f.target("pc"))
		}
		reg.set(func(r *flaky) {
			if r.served429 != 1 {
				t.Errorf("%d answers 429, want 1", r.served429)
			}
		})
	})
}

// A declared registry that is down leaves the release resolving: visible,
// never rolled out by tag, retried with backoff until it answers.
func TestRegistryDownStaysResolvingAndIsRetried(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, 100*time.Millisecond)
		reg, host := startFlaky(t, "", "")
		_, secret := f.declare(host, nil)
		repo := host + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0")
		digest := push(t, host, "acme/sensor", "2.0", "", "")
		reg.set(func(r *flaky) { r.down = true })

		v := f.hook(secret, repo+":2.0")
		rel, _ := v["release"].(map[string]any)
		if v["rollout"] != nil || rel["status"] != "resolving" || f.target("pc") != repo+":1.0" {
			t.Fatalf("answer %v; pc runs %s", v, f.target("pc"))
		}
		rels := f.releases("status=resolving")
		if len(rels) != 1 || rels[0].Attempts != 1 || !strings.Contains(rels[0].Reason, "next attempt at") {
			t.Fatalf("releases: %+v", rels)
		}
		if total := f.s.Must(200, "GET", "/api/v1/rollouts", nil).Map(t)["total"]; total != 0.0 {
			t.Fatalf("%v rollouts while the registry is down", total)
		}
		reg.set(func(r *flaky) { r.down = false })
		// The backoff's first retry is 30s away: bring it forward.
		if _, err := f.s.DB.Exec(context.Background(), `UPDATE releases SET next_attempt_at = $1`, f.s.DB.Now()); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "the retried release rolled out by digest", func() bool {
			return f.target("pc") == repo+":2.0@"+digest
		})
		if rels := f.releases(fmt.Sprintf("tag=%s", "2.0")); len(rels) != 1 || rels[0].Status != "ready" || !rels[0].Pinned {
			t.Fatalf("releases: %+v", rels)
		}
	})
}

// On a registry nobody declared, resolution is best effort: a reachable
// one pins the release; one that is down lets it roll out by tag, shown
// as pinned: false.
func TestUndeclaredRegistryIsBestEffort(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithService(func(svc *service.Service) { svc.ResolveUndeclared = true }))
		f := fixture{t, s}
		reg, host := startFlaky(t, "", "")
		repo := host + "/acme/sensor"
		f.approve(repo)
		f.device("pc", repo+":1.0")
		digest := push(t, host, "acme/sensor", "2.0", "", "")
		if v := f.hook(apitest.WebhookSecret, repo+":2.0"); v["rollout"] == nil || f.target("pc") != repo+":2.0@"+digest {
			t.Fatalf("reachable: %v; pc runs %s", v, f.target("pc"))
		}
		reg.set(func(r *flaky) { r.down = true })
		v := f.hook(apitest.WebhookSecret, repo+":3.0")
		rel, _ := v["release"].(map[string]any)
		if v["rollout"] == nil || rel["pinned"] != false || rel["status"] != "ready" || f.target("pc") != repo+":3.0" {
			t.Fatalf("down: %v; pc runs %s", v, f.target("pc"))
		}
	})
}
