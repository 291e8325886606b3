package cost

import (
	"context"
	"io"
	"log"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/registry"
)

// pushed is an in-process registry with images written to it, read back
// through Airlock's registry client as a release's manifest is.
type pushed struct {
	t      *testing.T
	host   string
	client *registry.Client
}

func newPushed(t *testing.T) *pushed {
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err := registry.New(registry.Config{Host: host, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	return &pushed{t: t, host: host, client: c}
}

func (p *pushed) write(repo, tag string, img v1.Image) *registry.Manifest {
	p.t.Helper()
	ref, err := name.ParseReference(p.host+"/"+repo+":"+tag, name.Insecure)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		p.t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		p.t.Fatal(err)
	}
	m, err := p.client.Inspect(context.Background(), repo, d.String())
	if err != nil {
		p.t.Fatal(err)
	}
	return m
}

// linuxImage is a random linux/amd64 image.
func linuxImage(t *testing.T, size, layers int64) v1.Image {
	img, err := random.Image(size, layers)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture = "linux", "amd64"
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// manifestSize is the sum of a manifest's layer and config sizes, from
// the image itself rather than from what Airlock read.
func manifestSize(t *testing.T, img v1.Image) int64 {
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

// TestSizeFromRegistry: a single-platform release's size_bytes is the sum
// of its manifest's layer and config sizes; a device that shares no layer
// with it downloads exactly that, one that has its base only the new layer
// and config.
func TestSizeFromRegistry(t *testing.T) {
	p := newPushed(t)
	base := linuxImage(t, 3000, 3)
	extra, err := random.Layer(5000, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	next, err := mutate.AppendLayers(base, extra)
	if err != nil {
		t.Fatal(err)
	}
	old := p.write("acme/app", "1.0", base)
	rel := p.write("acme/app", "1.1", next)
	if len(rel.Platforms) != 1 {
		t.Fatalf("platforms: %+v", rel.Platforms)
	}
	img := rel.Platforms[0]
	want := manifestSize(t, next)
	if got := Size(img); got != want {
		t.Fatalf("Size = %d, want %d", got, want)
	}
	if sizes := Sizes(*rel); len(sizes) != 1 || sizes[0].SizeBytes != want || sizes[0].Digest != rel.Digest {
		t.Fatalf("Sizes = %+v, want one of %d bytes under %s", sizes, want, rel.Digest)
	}
	if got := Download(img, Blobs{}); got != want {
		t.Fatalf("download with nothing shared = %d, want %d", got, want)
	}
	if got := Download(img, nil); got != want {
		t.Fatalf("download with nothing known = %d, want %d", got, want)
	}
	cfg, _ := next.Manifest()
	extraSize, _ := extra.Size()
	if got, want := Download(img, BlobsOf(old.Platforms[0])), extraSize+cfg.Config.Size; got != want {
		t.Fatalf("download over the base = %d, want the new layer and config, %d", got, want)
	}
	if got := Download(img, BlobsOf(img)); got != 0 {
		t.Fatalf("download of what the device has = %d", got)
	}
}

func TestSizesOfIndex(t *testing.T) {
	p := newPushed(t)
	var adds []mutate.IndexAddendum
	children := map[string]v1.Image{}
	for i, plat := range []v1.Platform{{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64"}, {OS: "linux", Architecture: "arm", Variant: "v7"}} {
		img := linuxImage(t, int64(1000*(i+1)), int64(i+1))
		d, _ := img.Digest()
		children[d.String()] = img
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &plat}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	ref, _ := name.ParseReference(p.host+"/acme/multi:1", name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	m, err := p.client.Inspect(context.Background(), "acme/multi", d.String())
	if err != nil {
		t.Fatal(err)
	}
	sizes := Sizes(*m)
	if len(sizes) != 3 {
		t.Fatalf("Sizes = %+v, want 3 platforms", sizes)
	}
	for _, s := range sizes {
		if want := manifestSize(t, children[s.Digest]); s.SizeBytes != want {
			t.Errorf("%s (%s): size %d, want %d", s.Platform, s.Digest, s.SizeBytes, want)
		}
	}
}

func TestDownloadEdges(t *testing.T) {
	layer := func(d string, n int64) registry.Descriptor { return registry.Descriptor{Digest: d, Size: n} }
	img := registry.Image{Config: layer("sha256:c", 10),
		Layers: []registry.Descriptor{layer("sha256:a", 100), layer("sha256:b", 200), layer("sha256:a", 100), layer("sha256:n", -5)}}
	if got := Size(img); got != 410 {
		t.Errorf("Size = %d, want 410 (every listed blob, negatives left out)", got)
	}
	if got := Download(img, nil); got != 310 {
		t.Errorf("Download = %d, want 310 (a blob listed twice is pulled once)", got)
	}
	if got := Download(img, Blobs{"sha256:a": {}, "sha256:c": {}}); got != 200 {
		t.Errorf("Download over a and c = %d, want 200", got)
	}
	huge := registry.Image{Layers: []registry.Descriptor{layer("sha256:x", math.MaxInt64), layer("sha256:y", math.MaxInt64)}}
	if got := Size(huge); got != math.MaxInt64 {
		t.Errorf("Size of huge = %d, want it saturated", got)
	}
	if got := Download(registry.Image{}, nil); got != 0 {
		t.Errorf("Download of nothing = %d", got)
	}
}
