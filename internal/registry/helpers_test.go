package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/airlock-iot/airlock/internal/platform"
)

// testRegistry is an in-process go-containerregistry registry on
// 127.0.0.1 that counts the requests it serves by method and endpoint.
type testRegistry struct {
	Host string
	srv  *httptest.Server
	auth authn.Authenticator

	mu     sync.Mutex
	counts map[string]int // "HEAD manifests", "GET blobs", …
}

type middleware func(http.Handler) http.Handler

func newRegistry(t *testing.T, referrers bool, mws ...middleware) *testRegistry {
	t.Helper()
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)),
		ggcrregistry.WithReferrersSupport(referrers))
	for _, mw := range mws {
		h = mw(h)
	}
	r := &testRegistry{counts: map[string]int{}, auth: authn.Anonymous}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.counts[req.Method+" "+endpoint(req.URL.Path)]++
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

func endpoint(path string) string {
	for _, e := range []string{"manifests", "blobs", "tags", "referrers"} {
		if strings.Contains(path, "/"+e+"/") {
			return e
		}
	}
	return "other"
}

func (r *testRegistry) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[key]
}

// reset forgets the requests so far (the pushes that set a test up).
func (r *testRegistry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = map[string]int{}
}

func (r *testRegistry) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.Host, cfg.Insecure = r.Host, true
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *testRegistry) opts() []remote.Option { return []remote.Option{remote.WithAuth(r.auth)} }

func (r *testRegistry) ref(t *testing.T, repo, id string) name.Reference {
	t.Helper()
	sep := ":"
	if strings.HasPrefix(id, "sha256:") {
		sep = "@"
	}
	ref, err := name.ParseReference(r.Host+"/"+repo+sep+id, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// image makes a random image of platform p with two layers and labels.
func image(t *testing.T, p string, labels map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	pl := platform.MustParse(p)
	cf.OS, cf.Architecture, cf.Variant = pl.OS, pl.Architecture, pl.Variant
	cf.Config.Labels = labels
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func (r *testRegistry) pushImage(t *testing.T, repo, tag string, img v1.Image) v1.Hash {
	t.Helper()
	if err := remote.Write(r.ref(t, repo, tag), img, r.opts()...); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pushIndex pushes an index of one image per platform plus a buildx-style
// attestation manifest, and returns the index digest and the images.
func (r *testRegistry) pushIndex(t *testing.T, repo, tag string, platforms ...string) (v1.Hash, []v1.Image) {
	t.Helper()
	var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var imgs []v1.Image
	for _, p := range platforms {
		img := image(t, p, map[string]string{"org.opencontainers.image.version": tag})
		pl := platform.MustParse(p)
		imgs = append(imgs, img)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: pl.OS, Architecture: pl.Architecture, Variant: pl.Variant}}})
	}
	att := image(t, "linux/amd64", nil)
	d0, _ := imgs[0].Digest()
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{attestationRef: "attestation-manifest", "vnd.docker.reference.digest": d0.String()}}})
	if err := remote.WriteIndex(r.ref(t, repo, tag), idx, r.opts()...); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d, imgs
}

// pushBlob uploads data as a blob and returns its descriptor.
func (r *testRegistry) pushBlob(t *testing.T, repo string, data []byte, mt string) map[string]any {
	t.Helper()
	l := static.NewLayer(data, types.MediaType(mt))
	repoRef, err := name.NewRepository(r.Host+"/"+repo, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteLayer(repoRef, l, r.opts()...); err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	return map[string]any{"mediaType": mt, "digest": d.String(), "size": len(data)}
}

type rawTaggable struct {
	raw []byte
	mt  string
}

func (r rawTaggable) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawTaggable) MediaType() (types.MediaType, error) { return types.MediaType(r.mt), nil }

// pushManifest puts a hand-made manifest under id (a tag or its digest).
func (r *testRegistry) pushManifest(t *testing.T, repo, tag string, m map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	d, _, _ := v1.SHA256(bytes.NewReader(raw))
	id := tag
	if id == "" {
		id = d.String()
	}
	if err := remote.Put(r.ref(t, repo, id), rawTaggable{raw, m["mediaType"].(string)}, r.opts()...); err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// pushCosignSignature pushes a tag-format cosign signature of subject.
func (r *testRegistry) pushCosignSignature(t *testing.T, repo, subject string) (payload []byte) {
	t.Helper()
	payload = []byte(fmt.Sprintf(`{"critical":{"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"}}`, subject))
	cfg := r.pushBlob(t, repo, []byte(`{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}`), MediaOCIConfig)
	layer := r.pushBlob(t, repo, payload, MediaCosignPayload)
	layer["annotations"] = map[string]string{"dev.cosignproject.cosign/signature": "MEUCIQ=="}
	r.pushManifest(t, repo, AttachmentTag(subject, "sig"), map[string]any{
		"schemaVersion": 2, "mediaType": MediaOCIManifest, "config": cfg, "layers": []any{layer}})
	return payload
}

// pushBundle pushes a Sigstore bundle as an OCI 1.1 referrer of subject.
func (r *testRegistry) pushBundle(t *testing.T, repo string, subject v1.Descriptor) string {
	t.Helper()
	cfg := r.pushBlob(t, repo, []byte("{}"), "application/vnd.oci.empty.v1+json")
	layer := r.pushBlob(t, repo, []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`),
		"application/vnd.dev.sigstore.bundle.v0.3+json")
	return r.pushManifest(t, repo, "", map[string]any{
		"schemaVersion": 2, "mediaType": MediaOCIManifest,
		"artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		"config":       cfg, "layers": []any{layer},
		"subject": map[string]any{"mediaType": subject.MediaType, "digest": subject.Digest.String(), "size": subject.Size},
	})
}

// paginate makes the registry answer tag lists n at a time with a Link
// header, as Docker Hub and Distribution do.
func paginate(n int) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if endpoint(req.URL.Path) != "tags" {
				next.ServeHTTP(w, req)
				return
			}
			q := req.URL.Query()
			q.Set("n", fmt.Sprint(n))
			req.URL.RawQuery = q.Encode()
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, req)
			var list struct{ Tags []string }
			json.Unmarshal(rec.Body.Bytes(), &list)
			if len(list.Tags) == n {
				next := url.Values{"n": {fmt.Sprint(n)}, "last": {list.Tags[n-1]}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, req.URL.Path, next.Encode()))
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		})
	}
}

// recorder is an injected Config.Wait: it records each wait and returns
// at once, so tests see rate limiting without spending the time.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) wait(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func (r *recorder) all() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}
