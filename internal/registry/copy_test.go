package registry

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// mirrorFixture is a three-platform release upstream with a cosign
// signature and a Sigstore bundle referrer, and an empty mirror.
type mirrorFixture struct {
	up, mirror     *testRegistry
	src, dst       Repo
	digest         v1.Hash
	images         []v1.Image
	sigTag, bundle string
}

func newMirrorFixture(t *testing.T) *mirrorFixture {
	t.Helper()
	f := &mirrorFixture{up: newRegistry(t, true), mirror: newRegistry(t, false)}
	f.digest, f.images = f.up.pushIndex(t, "acme/agent", "2.0", "linux/amd64", "linux/arm64", "linux/arm/v7")
	f.up.pushCosignSignature(t, "acme/agent", f.digest.String())
	f.sigTag = AttachmentTag(f.digest.String(), "sig")
	f.bundle = f.up.pushBundle(t, "acme/agent", v1.Descriptor{MediaType: MediaOCIIndex, Digest: f.digest, Size: 1})
	path, err := MirrorRepository(f.up.Host, "acme/agent")
	if err != nil {
		t.Fatal(err)
	}
	f.src = Repo{Client: f.up.client(t, Config{}), Name: "acme/agent"}
	f.dst = Repo{Client: f.mirror.client(t, Config{}), Name: path}
	return f
}

type progressLog struct {
	mu  sync.Mutex
	all []Progress
}

func (p *progressLog) add(pr Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all = append(p.all, pr)
}

func (p *progressLog) last() Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.all[len(p.all)-1]
}

// blobExists asks the mirror directly, not through the code under test.
func blobExists(t *testing.T, reg *testRegistry, repo, digest string) bool {
	t.Helper()
	resp, err := http.Head("http://" + reg.Host + "/v2/" + repo + "/blobs/" + digest)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestCopyThreePlatformIndex(t *testing.T) {
	f := newMirrorFixture(t)
	ctx := context.Background()
	var log progressLog
	if err := Copy(ctx, f.src, f.dst, f.digest.String(), "2.0", log.add); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{f.digest.String(), "2.0", f.sigTag, f.bundle} {
		if _, err := remote.Head(f.mirror.ref(t, f.dst.Name, ref)); err != nil {
			t.Errorf("mirror lacks %s: %v", ref, err)
		}
	}
	blobs := 0
	for _, img := range f.images {
		d, _ := img.Digest()
		if _, err := remote.Head(f.mirror.ref(t, f.dst.Name, d.String())); err != nil {
			t.Errorf("mirror lacks platform manifest %s: %v", d, err)
		}
		m, _ := img.Manifest()
		for _, b := range append([]v1.Descriptor{m.Config}, m.Layers...) {
			blobs++
			if !blobExists(t, f.mirror, f.dst.Name, b.Digest.String()) {
				t.Errorf("mirror lacks blob %s", b.Digest)
			}
		}
	}
	p := log.last()
	if p.BlobsDone != p.BlobsTotal || p.BytesDone != p.BytesTotal || p.BytesCopied != p.BytesTotal ||
		p.ManifestsDone != p.ManifestsTotal || p.BlobsTotal < blobs || len(log.all) < p.BlobsTotal+p.ManifestsTotal {
		t.Fatalf("final progress %+v after %d updates, want all %d+ blobs copied", p, len(log.all), blobs)
	}
	// index, 3 platforms, attestation manifest, signature, bundle
	if p.ManifestsTotal != 7 {
		t.Errorf("manifests copied = %d, want 7", p.ManifestsTotal)
	}
	f.up.srv.Close() // after the copy, upstream no longer matters
	if err := Verify(ctx, f.dst, f.digest.String()); err != nil {
		t.Fatalf("Verify after Copy, upstream stopped: %v", err)
	}
	refs, err := f.dst.Client.Referrers(ctx, f.dst.Name, f.digest.String())
	if err != nil || len(refs) != 1 || refs[0].Digest != f.bundle {
		t.Fatalf("mirror referrers = %v, %v; want the bundle", refs, err)
	}
}

func TestCopyAgainSendsNothing(t *testing.T) {
	f := newMirrorFixture(t)
	ctx := context.Background()
	if err := Copy(ctx, f.src, f.dst, f.digest.String(), "2.0", nil); err != nil {
		t.Fatal(err)
	}
	f.mirror.reset()
	var log progressLog
	if err := Copy(ctx, f.src, f.dst, f.digest.String(), "2.0", log.add); err != nil {
		t.Fatal(err)
	}
	p := log.last()
	if p.BytesCopied != 0 || p.BlobsDone != p.BlobsTotal || p.BytesDone != p.BytesTotal {
		t.Fatalf("second copy progress %+v, want every blob skipped", p)
	}
	if n := f.mirror.count("PATCH blobs") + f.mirror.count("PUT blobs"); n != 0 {
		t.Fatalf("second copy uploaded %d blob requests", n)
	}
}

func TestCopyWithMirrorDown(t *testing.T) {
	f := newMirrorFixture(t)
	f.mirror.srv.Close()
	err := Copy(context.Background(), f.src, f.dst, f.digest.String(), "2.0", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Copy to a stopped mirror = %v, want ErrUnavailable", err)
	}
	if err := Verify(context.Background(), f.dst, f.digest.String()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Verify on a stopped mirror = %v, want ErrUnavailable", err)
	}
}

func TestVerifyFailsOnMissingManifest(t *testing.T) {
	f := newMirrorFixture(t)
	ctx := context.Background()
	if err := Copy(ctx, f.src, f.dst, f.digest.String(), "2.0", nil); err != nil {
		t.Fatal(err)
	}
	arm, _ := f.images[2].Digest()
	if err := remote.Delete(f.mirror.ref(t, f.dst.Name, arm.String())); err != nil {
		t.Fatal(err)
	}
	err := Verify(ctx, f.dst, f.digest.String())
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Verify with a platform manifest deleted = %v, want ErrNotFound", err)
	}
	if err := Verify(ctx, f.dst, "sha256:"+zeros); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Verify of a release never copied = %v, want ErrNotFound", err)
	}
}

func TestCopyMissingRelease(t *testing.T) {
	f := newMirrorFixture(t)
	err := Copy(context.Background(), f.src, f.dst, "sha256:"+zeros, "", nil)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Copy of a digest upstream lacks = %v, want ErrNotFound", err)
	}
}
