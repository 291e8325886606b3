// Package artifact tells artifacts (signatures, attestations, SBOMs, Helm
// charts, build caches) from images a device can run. Registries keep both
// under tags of the same repository; only images may ever be deployed.
package artifact

import (
	"regexp"
	"strings"
)

// Manifest is what is known of a pushed manifest: at least its tag; the
// rest when the sender gives it (a Distribution notification with
// references) or once the manifest is fetched.
type Manifest struct {
	Tag          string
	MediaType    string   // the manifest's own media type
	ArtifactType string   // OCI 1.1 artifactType, when known
	Config       string   // the config's media type; "" when unknown
	Layers       []string // the layers' media types, when known
}

// Verdict says whether a manifest is an artifact, of which kind, and the
// digest of the manifest it is about when its tag names one.
type Verdict struct {
	Artifact bool
	Kind     string // signature|attestation|sbom|helm_chart|artifact
	Reason   string
	Subject  string // "sha256:<hex>" from a cosign tag
}

// cosignTag is the tag cosign pushes signatures, attestations and SBOMs
// under: the subject's digest with ':' turned to '-', and a suffix.
var cosignTag = regexp.MustCompile(`^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})\.(sig|att|sbom)$`)

var cosignKinds = map[string]string{"sig": "signature", "att": "attestation", "sbom": "sbom"}

// imageConfigs are the config media types of runnable images.
var imageConfigs = map[string]bool{
	"application/vnd.oci.image.config.v1+json":       true,
	"application/vnd.docker.container.image.v1+json": true,
}

// layerPrefixes are the media types of filesystem layers.
var layerPrefixes = []string{
	"application/vnd.oci.image.layer.",
	"application/vnd.docker.image.rootfs.",
}

// indexTypes are manifests that list other manifests.
var indexTypes = map[string]bool{
	"application/vnd.oci.image.index.v1+json":                   true,
	"application/vnd.docker.distribution.manifest.list.v2+json": true,
}

// Detect decides whether m is an artifact. The tag is enough for cosign's
// tags; otherwise an artifactType, a config that is not an image config or
// a layer that is not a filesystem layer makes one. What is unknown never
// does: a manifest seen only by its tag is an image.
func Detect(m Manifest) Verdict {
	if g := cosignTag.FindStringSubmatch(m.Tag); g != nil {
		kind := cosignKinds[g[3]]
		return Verdict{Artifact: true, Kind: kind, Subject: g[1] + ":" + g[2], Reason: "cosign " + kind + " tag"}
	}
	switch {
	case m.ArtifactType != "" && !imageConfigs[m.ArtifactType]:
		return Verdict{Artifact: true, Kind: kindOf([]string{m.ArtifactType}), Reason: "artifactType " + m.ArtifactType}
	case indexTypes[m.MediaType]:
		return Verdict{}
	case m.Config != "" && !imageConfigs[m.Config]:
		return Verdict{Artifact: true, Kind: kindOf(append([]string{m.Config}, m.Layers...)), Reason: "config media type " + m.Config}
	}
	for _, l := range m.Layers {
		if !isLayer(l) {
			return Verdict{Artifact: true, Kind: kindOf(m.Layers), Reason: "layer media type " + l}
		}
	}
	return Verdict{}
}

func isLayer(mediaType string) bool {
	for _, p := range layerPrefixes {
		if strings.HasPrefix(mediaType, p) {
			return true
		}
	}
	return false
}

// kindOf names the kind of artifact the first telling media type reveals:
// an SBOM's config is often the empty one, its layer says what it is.
func kindOf(mediaTypes []string) string {
	for _, mt := range mediaTypes {
		if k := kindOfType(mt); k != "artifact" {
			return k
		}
	}
	return "artifact"
}

func kindOfType(mediaType string) string {
	switch {
	case strings.Contains(mediaType, "helm"):
		return "helm_chart"
	case strings.Contains(mediaType, "spdx"), strings.Contains(mediaType, "cyclonedx"), strings.Contains(mediaType, "sbom"):
		return "sbom"
	case strings.Contains(mediaType, "sigstore.bundle"), strings.Contains(mediaType, "cosign"), strings.Contains(mediaType, "signature"):
		return "signature"
	case strings.Contains(mediaType, "in-toto"), strings.Contains(mediaType, "attestation"):
		return "attestation"
	}
	return "artifact"
}
