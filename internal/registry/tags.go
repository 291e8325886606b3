package registry

import (
	"context"
	"encoding/json"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Tags lists a repository's tags, following the registry's pagination. It
// never fetches a manifest per tag (Quay banned Flux v1 for doing so).
func (c *Client) Tags(ctx context.Context, repo string) ([]string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	r, err := c.repository(repo)
	if err != nil {
		return nil, c.fail("tags", repo, err)
	}
	tags, err := remote.List(r, append(c.opts, remote.WithContext(ctx), remote.Reuse(c.puller))...)
	if err != nil {
		return nil, c.fail("tags", repo, err)
	}
	return tags, nil
}

// Referrers lists the manifests attached to digest through the OCI
// referrers API, or the referrers tag schema (sha256-<hex>) where the
// registry lacks the API. None is an empty list, not an error.
func (c *Client) Referrers(ctx context.Context, repo, digest string) ([]Descriptor, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ref, err := c.digestRef(repo, digest)
	if err != nil {
		return nil, c.fail("referrers", repo, err)
	}
	idx, err := remote.Referrers(ref, append(c.opts, remote.WithContext(ctx), remote.Reuse(c.puller))...)
	if err != nil {
		return nil, c.fail("referrers", repo, err)
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, c.fail("referrers", repo, err)
	}
	var list struct{ Manifests []rawDescriptor }
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, c.fail("referrers", repo, err)
	}
	out := make([]Descriptor, 0, len(list.Manifests))
	for _, d := range list.Manifests {
		out = append(out, d.descriptor())
	}
	return out, nil
}

// Attachment is a manifest attached to an image (a cosign signature,
// attestation or SBOM, a Sigstore bundle) with its layers' content, which
// is what signature verification reads.
type Attachment struct {
	Descriptor
	Kind     Kind
	Subject  string // digest it is attached to
	Manifest []byte
	Layers   []AttachmentLayer
}

// AttachmentLayer is one layer of an attachment: descriptor and bytes.
// cosign keeps the signature in the annotation dev.cosignproject.cosign/signature.
type AttachmentLayer struct {
	Descriptor
	Data []byte
}

// MaxAttachmentLayer bounds each layer Attachment reads.
const MaxAttachmentLayer = 8 << 20

// Attachment fetches the manifest named by reference (a tag such as
// AttachmentTag(digest, "sig"), or a referrer's digest) and its layers.
// A missing one is ErrNotFound.
func (c *Client) Attachment(ctx context.Context, repo, reference string) (*Attachment, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	m, err := c.attachmentManifest(ctx, repo, reference)
	if err != nil {
		return nil, c.fail("attachment", repo, err)
	}
	media := mediaOf(m)
	subject, _, isTag := AttachmentSubject(reference)
	if isTag {
		media.Tag = reference
	}
	if m.Subject != nil {
		subject = m.Subject.Digest
	}
	a := &Attachment{Manifest: m.Raw, Subject: subject, Kind: Classify(media),
		Descriptor: Descriptor{Digest: m.Digest, MediaType: m.MediaType, Size: int64(len(m.Raw)),
			ArtifactType: m.ArtifactType, Annotations: m.Annotations}}
	for _, l := range m.Layers {
		data, err := c.blob(ctx, repo, l.Digest, MaxAttachmentLayer)
		if err != nil {
			return nil, c.fail("attachment", repo, err)
		}
		a.Layers = append(a.Layers, AttachmentLayer{Descriptor: l.descriptor(), Data: data})
	}
	return a, nil
}

// attachmentManifest reads by digest through the cache, or resolves a tag
// first (a tag moves when a signature is added, so its answer is not kept).
func (c *Client) attachmentManifest(ctx context.Context, repo, reference string) (*manifest, error) {
	digest := reference
	if _, err := c.digestRef(repo, reference); err != nil {
		ref, err := c.tagRef(repo, reference)
		if err != nil {
			return nil, err
		}
		d, err := c.puller.Head(ctx, ref)
		if err != nil {
			return nil, err
		}
		digest = d.Digest.String()
	}
	return c.manifest(ctx, repo, digest)
}
