// Package mirror_test proves issue 18 through the real server: releases are
// copied whole into the declared mirror registry and devices are sent the
// mirror's reference, only once the copy is verified.
package mirror_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
)

type fixture struct {
	t    *testing.T
	s    *apitest.Server
	keys map[string]string // device uuid → its API key
}

// start runs a server whose monitor, resolver and mirror copier run
// often; its database's clock runs ahead by skew, when given.
func start(t *testing.T, dbURL string, skew ...*atomic.Int64) fixture {
	s := apitest.Start(t, dbURL, apitest.WithMonitor(20*time.Millisecond),
		apitest.WithService(func(svc *service.Service) {
			svc.ReleaseTick = 100 * time.Millisecond
			for _, d := range skew {
				svc.DB.SetClock(func() time.Time { return time.Now().Add(time.Duration(d.Load())) })
			}
		}))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s.Svc.StartReleases(ctx)
	return fixture{t, s, map[string]string{}}
}

// declare declares host as a Distribution registry and returns its webhook secret.
func (f fixture) declare(host string, extra map[string]any) (url, secret string) {
	f.t.Helper()
	body := map[string]any{"host": host, "kind": "distribution"}
	for k, v := range extra {
		body[k] = v
	}
	var r struct {
		WebhookURL    string `json:"webhook_url"`
		WebhookSecret string `json:"webhook_secret"`
	}
	f.s.Must(201, "POST", "/api/v1/registries", body).JSON(f.t, &r)
	return r.WebhookURL, r.WebhookSecret
}

// approve approves repo and rolls out its pushes at once under a policy
// with the extra fields given.
func (f fixture) approve(repo string, extra map[string]any) {
	f.t.Helper()
	f.s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": repo})
	p := map[string]any{"image_pattern": repo + ":*", "update_strategy": "immediate", "health_check_timeout_seconds": 60}
	for k, v := range extra {
		p[k] = v
	}
	f.s.Must(201, "POST", "/api/v1/policies", p)
}

// device provisions uuid on platform running image as app "app".
func (f fixture) device(uuid, platform, image string) {
	f.t.Helper()
	var d struct {
		APIKey string `json:"api_key"`
	}
	f.s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "platform": platform}).JSON(f.t, &d)
	f.s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{
		"apps": map[string]any{"app": map[string]any{"image": image}}, "force": true, "reason": "the fleet runs it already"})
	f.keys[uuid] = d.APIKey
}

// poll is what device uuid is told to run, asked as the device asks.
func (f fixture) poll(uuid string) string {
	f.t.Helper()
	var ts struct {
		Apps map[string]struct{ Image string } `json:"apps"`
	}
	f.s.Do("GET", "/api/v1/devices/"+uuid+"/target-state", f.keys[uuid], nil).JSON(f.t, &ts)
	return ts.Apps["app"].Image
}

// report says device uuid runs image, healthy.
func (f fixture) report(uuid, image string) {
	f.t.Helper()
	app := map[string]any{"image": image, "status": "running", "health": "healthy"}
	if r := f.s.Do("PATCH", "/api/v1/devices/"+uuid+"/state", f.keys[uuid], map[string]any{"apps": map[string]any{"app": app}}); r.Status != 204 {
		f.t.Fatalf("report %s: %d %s", uuid, r.Status, r.Body)
	}
}

// release is what GET /releases/{id} answers.
type release struct {
	ID        int64
	Status    string
	Hold      string
	Reason    string
	RolloutID *int64 `json:"rollout_id"`
	Mirror    *struct {
		Mirror, Reference, State string
		LastError                string `json:"last_error"`
		Attempts                 int
		BlobsDone                int   `json:"blobs_done"`
		BlobsTotal               int   `json:"blobs_total"`
		BytesCopied              int64 `json:"bytes_copied"`
		ManifestsDone            int   `json:"manifests_done"`
	}
}

func (f fixture) release(id int64) release {
	f.t.Helper()
	var r release
	f.s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", id), nil).JSON(f.t, &r)
	return r
}

// releaseOf is the id of the release an intake answer names.
func releaseOf(t *testing.T, answer map[string]any) int64 {
	t.Helper()
	r, _ := answer["release"].(map[string]any)
	id, ok := r["id"].(float64)
	if !ok {
		t.Fatalf("no release in %v", answer)
	}
	return int64(id)
}

// eventually polls ok until it holds, or fails after within.
func eventually(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mirrorRef is where the mirror keeps upstream's repo, with tag and digest.
func mirrorRef(mirror, upstream, repo, tag, digest string) string {
	return mirror + "/" + strings.ReplaceAll(upstream, ":", "-") + "/" + repo + ":" + tag + "@" + digest
}

// inProcess is go-containerregistry's registry on an httptest server.
func inProcess(t *testing.T) *httptest.Server {
	s := httptest.NewServer(ggcr.New(ggcr.Logger(nopLogger())))
	t.Cleanup(s.Close)
	return s
}

func host(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

// pushIndex pushes a three-platform OCI index of random images as
// host/repo:tag and returns its digest.
func pushIndex(t *testing.T, host, repo, tag string) string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"},
		{OS: "linux", Architecture: "arm", Variant: "v7"}} {
		img, err := random.Image(512, 2)
		if err != nil {
			t.Fatal(err)
		}
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref, err := name.NewTag(host+"/"+repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// holdsWhole checks, by asking the registry at host directly, that it has
// ref's index, each platform manifest and every blob of them.
func holdsWhole(t *testing.T, ref string) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatalf("index %s: %v", ref, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 3 {
		t.Fatalf("%d platform manifests, want 3", len(m.Manifests))
	}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatalf("manifest %s: %v", d.Digest, err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		blobs := []v1.Hash{cfg}
		for _, l := range layers {
			h, err := l.Digest()
			if err != nil {
				t.Fatal(err)
			}
			blobs = append(blobs, h)
		}
		for _, b := range blobs {
			resp, err := http.Head("http://" + r.Context().RegistryStr() + "/v2/" + r.Context().RepositoryStr() + "/blobs/" + b.String())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("blob %s of %s: %d", b, d.Digest, resp.StatusCode)
			}
		}
	}
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// flaky serves an in-process registry, or 503 while down.
func flaky(t *testing.T, down *atomic.Bool) *httptest.Server {
	reg := ggcr.New(ggcr.Logger(nopLogger()))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}
