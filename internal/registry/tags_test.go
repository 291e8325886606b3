package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestTagsFollowsPagination(t *testing.T) {
	reg := newRegistry(t, false, paginate(2))
	img := image(t, "linux/amd64", nil)
	var want []string
	for i := range 5 {
		tag := fmt.Sprintf("1.%d", i)
		reg.pushImage(t, "acme/agent", tag, img)
		want = append(want, tag)
	}
	reg.reset()
	got, err := reg.client(t, Config{}).Tags(context.Background(), "acme/agent")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Tags = %v, want %v", got, want)
	}
	if n := reg.count("GET tags"); n != 3 {
		t.Errorf("%d tag list pages fetched, want 3 (5 tags, 2 a page)", n)
	}
	if n := reg.count("GET manifests") + reg.count("HEAD manifests"); n != 0 {
		t.Errorf("listing tags touched %d manifests", n)
	}
}

func TestTagsOfMissingRepository(t *testing.T) {
	reg := newRegistry(t, false)
	_, err := reg.client(t, Config{}).Tags(context.Background(), "acme/none")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Tags = %v, want ErrNotFound", err)
	}
}

// TestReferrers covers a registry with the OCI referrers API and one
// without, where go-containerregistry keeps the sha256-<hex> fallback tag.
func TestReferrers(t *testing.T) {
	for _, api := range []bool{true, false} {
		t.Run(fmt.Sprintf("api=%v", api), func(t *testing.T) {
			reg := newRegistry(t, api)
			c := reg.client(t, Config{})
			img := image(t, "linux/amd64", nil)
			d := reg.pushImage(t, "acme/agent", "1.0", img)
			none, err := c.Referrers(context.Background(), "acme/agent", d.String())
			if err != nil || len(none) != 0 {
				t.Fatalf("Referrers before any = %v, %v", none, err)
			}
			mt, _ := img.MediaType()
			size, _ := img.Size()
			bundle := reg.pushBundle(t, "acme/agent", v1.Descriptor{MediaType: mt, Digest: d, Size: size})
			refs, err := c.Referrers(context.Background(), "acme/agent", d.String())
			if err != nil {
				t.Fatal(err)
			}
			if len(refs) != 1 || refs[0].Digest != bundle {
				t.Fatalf("Referrers = %+v, want the bundle %s", refs, bundle)
			}
			// go-containerregistry's test registry reports the config media
			// type as artifactType; the fallback index has the manifest's.
			if !api && refs[0].ArtifactType != "application/vnd.dev.sigstore.bundle.v0.3+json" {
				t.Errorf("artifactType = %s", refs[0].ArtifactType)
			}
		})
	}
}

func TestAttachment(t *testing.T) {
	reg := newRegistry(t, false)
	c := reg.client(t, Config{})
	d := reg.pushImage(t, "acme/agent", "1.0", image(t, "linux/amd64", nil)).String()
	payload := reg.pushCosignSignature(t, "acme/agent", d)

	a, err := c.Attachment(context.Background(), "acme/agent", AttachmentTag(d, "sig"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindSignature || a.Subject != d || len(a.Layers) != 1 || len(a.Manifest) == 0 {
		t.Fatalf("Attachment = kind %s subject %s %d layers", a.Kind, a.Subject, len(a.Layers))
	}
	l := a.Layers[0]
	if !bytes.Equal(l.Data, payload) || l.MediaType != MediaCosignPayload ||
		l.Annotations["dev.cosignproject.cosign/signature"] != "MEUCIQ==" {
		t.Fatalf("layer = %s %v %q", l.MediaType, l.Annotations, l.Data)
	}
	byDigest, err := c.Attachment(context.Background(), "acme/agent", a.Digest)
	if err != nil || byDigest.Digest != a.Digest || len(byDigest.Layers) != 1 {
		t.Fatalf("Attachment by digest = %+v, %v", byDigest, err)
	}
	_, err = c.Attachment(context.Background(), "acme/agent", AttachmentTag(d, "att"))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing attestation = %v, want ErrNotFound", err)
	}
}
