package registrytest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushOption changes how a push reaches the registry.
type PushOption func(*pushOptions)

type pushOptions struct{ host string }

// AsHost sends every request of the push with this Host header, as a client
// that names the registry otherwise would (Distribution copies it into the
// notification's request.host).
func AsHost(host string) PushOption { return func(o *pushOptions) { o.host = host } }

// spoof is a transport that sends requests to the registry's real address
// under another Host header, following the registry's own redirects there.
type spoof struct {
	real, host string
}

func (s spoof) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if out.URL.Host == s.host {
		out.URL.Host = s.real
	}
	out.Host = s.host
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	// The registry builds its redirects from the Host it was sent; point
	// them back at its real address, as a client that resolved that name would.
	if loc, err := resp.Location(); err == nil && loc.Host == s.host {
		loc.Host = s.real
		resp.Header.Set("Location", loc.String())
	}
	return resp, nil
}

func (r *Registry) options(ctx context.Context, opts []PushOption) []remote.Option {
	var o pushOptions
	for _, opt := range opts {
		opt(&o)
	}
	ro := []remote.Option{remote.WithContext(ctx)}
	if o.host != "" {
		ro = append(ro, remote.WithTransport(spoof{real: r.Host(), host: o.host}))
	}
	return ro
}

func (r *Registry) ref(repo, tag string) (name.Tag, error) {
	return name.NewTag(r.Host()+"/"+repo+":"+tag, name.Insecure)
}

// PushImage pushes a random single-platform OCI image as repo:tag and
// returns its manifest digest.
func (r *Registry) PushImage(ctx context.Context, repo, tag string, opts ...PushOption) (string, error) {
	img, err := randomImage("linux", "amd64", "")
	if err != nil {
		return "", err
	}
	ref, err := r.ref(repo, tag)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, r.options(ctx, opts)...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	return d.String(), err
}

func randomImage(os, arch, variant string) (v1.Image, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = os, arch, variant
	return mutate.ConfigFile(img, cf)
}

// PushIndex pushes a multi-platform OCI index of random images as repo:tag,
// one per platform ("linux/amd64", "linux/arm/v7"), and returns its digest.
func (r *Registry) PushIndex(ctx context.Context, repo, tag string, platforms ...string) (string, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			return "", err
		}
		img, err := randomImage(plat.OS, plat.Architecture, plat.Variant)
		if err != nil {
			return "", err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	ref, err := r.ref(repo, tag)
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(ref, idx, r.options(ctx, nil)...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := idx.Digest()
	return d.String(), err
}

// Blob is one blob of an artifact.
type Blob struct {
	MediaType string
	Data      []byte
}

// Artifact is an OCI manifest written by hand, as artifact tools (cosign,
// ORAS, helm) write them: any config and layer media types.
type Artifact struct {
	ArtifactType string
	Config       Blob
	Layers       []Blob
	Annotations  map[string]string
	// LayerAnnotations are the annotations of each layer, by index.
	LayerAnnotations []map[string]string
	// Subject, if set, attaches the artifact to that manifest: an OCI
	// referrer, as cosign v3 attaches Sigstore bundles.
	Subject *v1.Descriptor
}

// Artifact media types of the tools tests imitate.
const (
	EmptyJSON       = "application/vnd.oci.empty.v1+json"
	HelmConfig      = "application/vnd.cncf.helm.config.v1+json"
	HelmChart       = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	SPDX            = "application/spdx+json"
	CosignSignature = "application/vnd.dev.cosign.simplesigning.v1+json"
)

// SBOM is an SPDX document pushed as an OCI 1.1 artifact.
func SBOM() Artifact {
	return Artifact{ArtifactType: SPDX, Config: Blob{EmptyJSON, []byte("{}")},
		Layers: []Blob{{SPDX, []byte(`{"spdxVersion":"SPDX-2.3","name":"sensor"}`)}}}
}

// HelmChartArtifact is a Helm chart as `helm push` writes it.
func HelmChartArtifact() Artifact {
	return Artifact{Config: Blob{HelmConfig, []byte(`{"name":"sensor","version":"0.1.0"}`)},
		Layers: []Blob{{HelmChart, []byte("chart")}}}
}

// PushArtifact writes the blobs of a and its manifest as repo:tag and
// returns the manifest digest.
func (r *Registry) PushArtifact(ctx context.Context, repo, tag string, a Artifact) (string, error) {
	ref, err := r.ref(repo, tag)
	if err != nil {
		return "", err
	}
	opts := r.options(ctx, nil)
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: a.ArtifactType, Annotations: a.Annotations,
		Subject: a.Subject}
	for i, b := range append([]Blob{a.Config}, a.Layers...) {
		layer := static.NewLayer(b.Data, types.MediaType(b.MediaType))
		if err := remote.WriteLayer(ref.Context(), layer, opts...); err != nil {
			return "", fmt.Errorf("push blob: %w", err)
		}
		desc := v1.Descriptor{MediaType: types.MediaType(b.MediaType), Size: int64(len(b.Data)), Digest: hash(b.Data)}
		if i == 0 {
			m.Config = desc
		} else {
			if i-1 < len(a.LayerAnnotations) {
				desc.Annotations = a.LayerAnnotations[i-1]
			}
			m.Layers = append(m.Layers, desc)
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if err := remote.Put(ref, rawManifest{raw, types.OCIManifestSchema1}, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	return hash(raw).String(), nil
}

// PushSignature pushes a cosign key-based signature of the manifest subject
// (a digest) in repo, under cosign's tag "sha256-<hex>.sig".
func (r *Registry) PushSignature(ctx context.Context, repo, subject string) (string, error) {
	h, err := v1.NewHash(subject)
	if err != nil {
		return "", err
	}
	payload := fmt.Sprintf(`{"critical":{"identity":{"docker-reference":"%s/%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}`,
		r.Host(), repo, subject)
	sig := Artifact{Config: Blob{string(types.OCIConfigJSON), []byte(`{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}`)},
		Layers: []Blob{{CosignSignature, []byte(payload)}}}
	return r.PushArtifact(ctx, repo, fmt.Sprintf("%s-%s.sig", h.Algorithm, h.Hex), sig)
}

// PushSignedSignature pushes a cosign key-based signature of subject in
// repo whose layer carries sign(payload), base64, in cosign's signature
// annotation: what `cosign sign --key` writes.
func (r *Registry) PushSignedSignature(ctx context.Context, repo, subject string, sign func(payload []byte) []byte) (string, error) {
	h, err := v1.NewHash(subject)
	if err != nil {
		return "", err
	}
	payload := []byte(fmt.Sprintf(`{"critical":{"identity":{"docker-reference":"%s/%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}`,
		r.Host(), repo, subject))
	sig := Artifact{Config: Blob{string(types.OCIConfigJSON), []byte(`{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}`)},
		Layers:           []Blob{{CosignSignature, payload}},
		LayerAnnotations: []map[string]string{{"dev.cosignproject.cosign/signature": base64.StdEncoding.EncodeToString(sign(payload))}}}
	return r.PushArtifact(ctx, repo, fmt.Sprintf("%s-%s.sig", h.Algorithm, h.Hex), sig)
}

// Descriptor is the descriptor of the manifest under repo@digest, to make
// an artifact's Subject.
func (r *Registry) Descriptor(ctx context.Context, repo, digest string) (*v1.Descriptor, error) {
	ref, err := name.NewDigest(r.Host()+"/"+repo+"@"+digest, name.Insecure)
	if err != nil {
		return nil, err
	}
	return remote.Head(ref, r.options(ctx, nil)...)
}

func hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// rawManifest is a manifest as bytes, for remote.Put.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }
