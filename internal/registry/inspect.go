package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/airlock-iot/airlock/internal/platform"
)

// Manifest is what Inspect learns about the content under one digest.
type Manifest struct {
	Digest          string            `json:"digest"`
	MediaType       string            `json:"media_type"`
	ArtifactType    string            `json:"artifact_type,omitempty"`
	ConfigMediaType string            `json:"config_media_type,omitempty"`
	Kind            Kind              `json:"kind"`
	Subject         string            `json:"subject,omitempty"` // the digest this artifact is attached to
	Annotations     map[string]string `json:"annotations,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"` // image config labels; an index's first platform's
	Platforms       []Image           `json:"platforms,omitempty"`
	Children        []Descriptor      `json:"children,omitempty"` // an index's every child manifest
}

// Image is one runnable platform of a release.
type Image struct {
	Platform platform.Platform `json:"platform"`
	Digest   string            `json:"digest"` // the platform's own manifest
	Size     int64             `json:"size"`   // compressed bytes to pull: config plus layers
	Config   Descriptor        `json:"config"`
	Layers   []Descriptor      `json:"layers"`
}

// maxConfig bounds an image config read; real ones are kilobytes.
const maxConfig = 4 << 20

// attestationRef marks buildx's attestation manifests inside an index.
const attestationRef = "vnd.docker.reference.type"

// Inspect reads what the manifest under digest is: its kind, subject,
// annotations, and for an image or index its platforms with sizes and
// layers. Each manifest is fetched once per client (see manifest).
func (c *Client) Inspect(ctx context.Context, repo, digest string) (*Manifest, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	m, err := c.manifest(ctx, repo, digest)
	if err != nil {
		return nil, c.fail("inspect", repo, err)
	}
	out := describe(m)
	switch {
	case m.isIndex():
		err = c.inspectIndex(ctx, repo, m, out)
	case out.Kind == KindImage:
		err = c.inspectImage(ctx, repo, m, out)
	}
	if err != nil {
		return nil, c.fail("inspect", repo, err)
	}
	return out, nil
}

// describe is the part of Inspect that needs nothing but the manifest.
func describe(m *manifest) *Manifest {
	media := mediaOf(m)
	out := &Manifest{Digest: m.Digest, MediaType: m.MediaType, ArtifactType: m.ArtifactType,
		ConfigMediaType: media.ConfigMediaType, Annotations: m.Annotations}
	if m.Subject != nil {
		out.Subject = m.Subject.Digest
	}
	out.Kind = Classify(media)
	if out.Kind == KindUnknown {
		out.Kind = KindArtifact // a manifest without a config is no image
	}
	return out
}

// mediaOf is what Classify needs from a manifest.
func mediaOf(m *manifest) Media {
	media := Media{MediaType: m.MediaType, ArtifactType: m.ArtifactType}
	if m.Config != nil {
		media.ConfigMediaType = m.Config.MediaType
	}
	for _, l := range m.Layers {
		media.LayerMediaTypes = append(media.LayerMediaTypes, l.MediaType)
	}
	return media
}

func (c *Client) inspectImage(ctx context.Context, repo string, m *manifest, out *Manifest) error {
	cfg, err := c.config(ctx, repo, m.Config.Digest)
	if err != nil {
		return err
	}
	img := imageOf(m)
	if img.Platform, err = platform.Normalize(cfg.platform()); err != nil {
		return fmt.Errorf("image config platform: %w", err)
	}
	out.Platforms = []Image{img}
	out.Labels = cfg.Config.Labels
	return nil
}

func (c *Client) inspectIndex(ctx context.Context, repo string, idx *manifest, out *Manifest) error {
	for _, d := range idx.Manifests {
		out.Children = append(out.Children, d.descriptor())
		if d.Annotations[attestationRef] != "" || (d.MediaType != MediaOCIManifest && d.MediaType != MediaDockerManifest) {
			continue
		}
		child, err := c.manifest(ctx, repo, d.Digest)
		if err != nil {
			return err
		}
		if describe(child).Kind != KindImage {
			continue
		}
		img, err := c.childImage(ctx, repo, d, child)
		if err != nil {
			return err
		}
		if !img.Platform.IsZero() {
			out.Platforms = append(out.Platforms, img)
		}
	}
	if len(out.Platforms) == 0 {
		out.Kind = KindArtifact // nothing in it a device could run
		return nil
	}
	cfg, err := c.config(ctx, repo, out.Platforms[0].Config.Digest)
	if err != nil {
		return err
	}
	out.Labels = cfg.Config.Labels
	return nil
}

// childImage reads a platform from the index entry, or from the child's
// config when the entry has none. An unknown/unknown entry gives a zero
// platform.
func (c *Client) childImage(ctx context.Context, repo string, d rawDescriptor, child *manifest) (Image, error) {
	img := imageOf(child)
	var p platform.Platform
	if d.Platform != nil {
		p = platform.Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant}
	} else {
		cfg, err := c.config(ctx, repo, child.Config.Digest)
		if err != nil {
			return Image{}, err
		}
		p = cfg.platform()
	}
	img.Platform, _ = platform.Normalize(p)
	return img, nil
}

// imageOf sums an image manifest's compressed size: config plus layers.
func imageOf(m *manifest) Image {
	img := Image{Digest: m.Digest, Config: m.Config.descriptor(), Size: m.Config.Size}
	for _, l := range m.Layers {
		img.Layers = append(img.Layers, l.descriptor())
		img.Size += l.Size
	}
	return img
}

// imageConfig is the part of an image config Airlock reads.
type imageConfig struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant"`
	Config       struct {
		Labels map[string]string `json:"Labels"`
	} `json:"config"`
}

func (cfg *imageConfig) platform() platform.Platform {
	return platform.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
}

// config GETs an image config blob once per digest.
func (c *Client) config(ctx context.Context, repo, digest string) (*imageConfig, error) {
	key := "c " + repo + "@" + digest
	if v, ok := c.cache.get(key); ok {
		return v.(*imageConfig), nil
	}
	raw, err := c.blob(ctx, repo, digest, maxConfig)
	if err != nil {
		return nil, err
	}
	cfg := &imageConfig{}
	if err := json.Unmarshal(raw, cfg); err != nil {
		return nil, fmt.Errorf("image config %s: %w", digest, err)
	}
	c.cache.put(key, cfg)
	return cfg, nil
}

// blob reads a whole blob of at most limit bytes; go-containerregistry
// checks its digest.
func (c *Client) blob(ctx context.Context, repo, digest string, limit int64) ([]byte, error) {
	ref, err := c.digestRef(repo, digest)
	if err != nil {
		return nil, err
	}
	l, err := c.puller.Layer(ctx, ref)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("blob %s: larger than %d bytes", digest, limit)
	}
	return b, nil
}
