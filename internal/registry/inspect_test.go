package registry

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func TestResolveUsesHead(t *testing.T) {
	reg := newRegistry(t, false)
	want := reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	reg.reset()
	c := reg.client(t, Config{})
	for range 2 {
		d, err := c.Resolve(context.Background(), "acme/agent", "1.0")
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest != want.String() || d.MediaType == "" || d.Size == 0 {
			t.Fatalf("Resolve = %+v, want digest %s", d, want)
		}
	}
	if h, g := reg.count("HEAD manifests"), reg.count("GET manifests"); h != 2 || g != 0 {
		t.Fatalf("manifest requests: %d HEAD, %d GET; want 2 HEAD (tags move), 0 GET", h, g)
	}
	for range 3 {
		if _, err := c.Inspect(context.Background(), "acme/agent", want.String()); err != nil {
			t.Fatal(err)
		}
	}
	if g := reg.count("GET manifests"); g != 1 {
		t.Fatalf("3 inspections of one digest made %d manifest GETs, want 1", g)
	}
}

// noDigestOnHead drops Docker-Content-Digest from HEAD answers, as some
// registries and proxies do.
func noDigestOnHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodHead {
			w = &dropHeader{ResponseWriter: w, name: "Docker-Content-Digest"}
		}
		next.ServeHTTP(w, req)
	})
}

type dropHeader struct {
	http.ResponseWriter
	name string
}

func (d *dropHeader) WriteHeader(code int) {
	d.Header().Del(d.name)
	d.ResponseWriter.WriteHeader(code)
}

func TestResolveFallsBackToGetWithoutDigest(t *testing.T) {
	reg := newRegistry(t, false, noDigestOnHead)
	want := reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	reg.reset()
	c := reg.client(t, Config{})
	d, err := c.Resolve(context.Background(), "acme/agent", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Digest != want.String() {
		t.Fatalf("Resolve = %s, want %s", d.Digest, want)
	}
	if _, err := c.Inspect(context.Background(), "acme/agent", d.Digest); err != nil {
		t.Fatal(err)
	}
	if g := reg.count("GET manifests"); g != 1 {
		t.Fatalf("%d manifest GETs, want 1 (the fallback, kept for Inspect)", g)
	}
}

func TestResolveNotFound(t *testing.T) {
	reg := newRegistry(t, false)
	reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil))
	c := reg.client(t, Config{})
	_, err := c.Resolve(context.Background(), "acme/agent", "2.0")
	if !errors.Is(err, ErrNotFound) || airlock.ErrorCode(err) != airlock.ENOTFOUND || Temporary(err) {
		t.Fatalf("Resolve of a missing tag = %v, want ErrNotFound", err)
	}
	_, err = c.Inspect(context.Background(), "acme/other", "sha256:"+zeros)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Inspect of a missing repo = %v, want ErrNotFound", err)
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// wantImage is what Inspect should say of img: its size is the sum of its
// config and layer sizes.
func wantImage(t *testing.T, img v1.Image) (size int64, layers []string) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	size = m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
		layers = append(layers, l.Digest.String())
	}
	return size, layers
}

func TestInspectSingleImage(t *testing.T) {
	reg := newRegistry(t, false)
	img := image(t, "linux/arm/v7", map[string]string{"org.opencontainers.image.source": "https://example.invalid/agent"})
	d := reg.pushImage(t, "acme/agent", "1.0", img)
	m, err := reg.client(t, Config{}).Inspect(context.Background(), "acme/agent", d.String())
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != KindImage || !m.Kind.Deployable() || len(m.Platforms) != 1 || len(m.Children) != 0 {
		t.Fatalf("Inspect = %+v, want one deployable image", m)
	}
	p := m.Platforms[0]
	size, layers := wantImage(t, img)
	if p.Platform.String() != "linux/arm/v7" || p.Digest != d.String() || p.Size != size {
		t.Fatalf("platform = %s %s size %d, want linux/arm/v7 %s size %d", p.Platform, p.Digest, p.Size, d, size)
	}
	var got []string
	for _, l := range p.Layers {
		got = append(got, l.Digest)
	}
	if diff := cmp.Diff(layers, got); diff != "" {
		t.Errorf("layers (-want +got):\n%s", diff)
	}
	if m.Labels["org.opencontainers.image.source"] != "https://example.invalid/agent" {
		t.Errorf("labels = %v", m.Labels)
	}
}

func TestInspectThreePlatformIndex(t *testing.T) {
	reg := newRegistry(t, false)
	d, imgs := reg.pushIndex(t, "acme/agent", "2.0", "linux/amd64", "linux/arm64", "linux/arm/v7")
	m, err := reg.client(t, Config{}).Inspect(context.Background(), "acme/agent", d.String())
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != KindImage || m.MediaType != MediaOCIIndex || len(m.Children) != 4 {
		t.Fatalf("Inspect = kind %s, %s, %d children; want image index with 4 children", m.Kind, m.MediaType, len(m.Children))
	}
	var platforms []string
	for i, p := range m.Platforms {
		platforms = append(platforms, p.Platform.String())
		size, _ := wantImage(t, imgs[i])
		di, _ := imgs[i].Digest()
		if p.Size != size || p.Digest != di.String() {
			t.Errorf("%s: size %d digest %s, want %d %s", p.Platform, p.Size, p.Digest, size, di)
		}
	}
	if want := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}; !slices.Equal(platforms, want) {
		t.Fatalf("platforms = %v, want %v (attestation manifest left out)", platforms, want)
	}
	if m.Labels["org.opencontainers.image.version"] != "2.0" {
		t.Errorf("labels = %v", m.Labels)
	}
}

func TestInspectArtifacts(t *testing.T) {
	reg := newRegistry(t, true)
	c := reg.client(t, Config{})
	ctx := context.Background()
	img := image(t, "linux/amd64", nil)
	d := reg.pushImage(t, "acme/agent", "1.0", img)

	reg.pushCosignSignature(t, "acme/agent", d.String())
	sig, err := c.Resolve(ctx, "acme/agent", AttachmentTag(d.String(), "sig"))
	if err != nil {
		t.Fatal(err)
	}
	mt, _ := img.MediaType()
	size, _ := img.Size()
	bundle := reg.pushBundle(t, "acme/agent", v1.Descriptor{MediaType: mt, Digest: d, Size: size})
	cfg := reg.pushBlob(t, "acme/chart", []byte(`{"name":"agent","version":"1.0.0"}`), MediaHelmConfig)
	chart := reg.pushBlob(t, "acme/chart", []byte("chart"), "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
	helm := reg.pushManifest(t, "acme/chart", "1.0.0", map[string]any{
		"schemaVersion": 2, "mediaType": MediaOCIManifest, "config": cfg, "layers": []any{chart}})

	cases := []struct {
		repo, digest string
		kind         Kind
		subject      string
	}{
		{"acme/agent", sig.Digest, KindSignature, ""},
		{"acme/agent", bundle, KindSigstoreBundle, d.String()},
		{"acme/chart", helm, KindHelmChart, ""},
	}
	for _, tc := range cases {
		m, err := c.Inspect(ctx, tc.repo, tc.digest)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != tc.kind || m.Kind.Deployable() || m.Subject != tc.subject || len(m.Platforms) != 0 {
			t.Errorf("Inspect(%s) = kind %s subject %q platforms %v; want %s %q none", tc.digest, m.Kind, m.Subject, m.Platforms, tc.kind, tc.subject)
		}
	}
}
