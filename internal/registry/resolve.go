package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Descriptor points at content in a registry.
type Descriptor struct {
	Digest       string            `json:"digest"`
	MediaType    string            `json:"media_type"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifact_type,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

// Resolve finds the digest a tag points at with a HEAD request (Docker Hub
// counts GETs against its pull limit, not HEADs). Only when the HEAD answer
// carries no digest does it GET the manifest, and then it keeps it.
func (c *Client) Resolve(ctx context.Context, repo, tag string) (Descriptor, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ref, err := c.tagRef(repo, tag)
	if err != nil {
		return Descriptor{}, c.fail("resolve", repo, err)
	}
	d, err := c.puller.Head(ctx, ref)
	if err == nil {
		return Descriptor{Digest: d.Digest.String(), MediaType: string(d.MediaType), Size: d.Size}, nil
	}
	if !headIncomplete(ctx, err) {
		return Descriptor{}, c.fail("resolve", repo, err)
	}
	g, err := c.puller.Get(ctx, ref)
	if err != nil {
		return Descriptor{}, c.fail("resolve", repo, err)
	}
	m, err := parseManifest(g.Manifest, string(g.MediaType))
	if err != nil {
		return Descriptor{}, c.fail("resolve", repo, err)
	}
	m.Digest = g.Digest.String()
	c.cache.put(manifestKey(repo, m.Digest), m)
	return Descriptor{Digest: g.Digest.String(), MediaType: m.MediaType, Size: g.Size}, nil
}

// headIncomplete tells a HEAD that worked but lacked headers (no digest,
// no length) from a refusal or a network failure, which a GET would repeat.
func headIncomplete(ctx context.Context, err error) bool {
	var te *transport.Error
	var ne net.Error
	return ctx.Err() == nil && !errors.As(err, &te) && !errors.As(err, &ne) && kindOf(err) == nil
}

// manifest is a fetched manifest or index, parsed. Fields cover both.
type manifest struct {
	Raw          []byte         `json:"-"`
	Digest       string         `json:"-"`
	MediaType    string         `json:"mediaType"`
	ArtifactType string         `json:"artifactType"`
	Config       *rawDescriptor `json:"config"`
	Layers       []rawDescriptor
	Manifests    []rawDescriptor
	Subject      *rawDescriptor
	Annotations  map[string]string
}

type rawDescriptor struct {
	MediaType    string `json:"mediaType"`
	Digest       string
	Size         int64
	ArtifactType string `json:"artifactType"`
	Annotations  map[string]string
	Platform     *struct {
		OS           string `json:"os"`
		Architecture string
		Variant      string
	}
}

func (d rawDescriptor) descriptor() Descriptor {
	return Descriptor{Digest: d.Digest, MediaType: d.MediaType, Size: d.Size,
		ArtifactType: d.ArtifactType, Annotations: d.Annotations}
}

func parseManifest(raw []byte, contentType string) (*manifest, error) {
	m := &manifest{Raw: raw}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.MediaType == "" {
		m.MediaType = contentType
	}
	return m, nil
}

func (m *manifest) isIndex() bool {
	return m.MediaType == MediaOCIIndex || m.MediaType == MediaDockerList || (m.Config == nil && m.Manifests != nil)
}

func manifestKey(repo, digest string) string { return "m " + repo + "@" + digest }

// manifest GETs a manifest by digest once; later calls are served from the
// cache, since content under a digest never changes.
func (c *Client) manifest(ctx context.Context, repo, digest string) (*manifest, error) {
	key := manifestKey(repo, digest)
	if v, ok := c.cache.get(key); ok {
		return v.(*manifest), nil
	}
	ref, err := c.digestRef(repo, digest)
	if err != nil {
		return nil, err
	}
	g, err := c.puller.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(g.Manifest, string(g.MediaType))
	if err != nil {
		return nil, err
	}
	m.Digest = g.Digest.String()
	c.cache.put(key, m)
	return m, nil
}
