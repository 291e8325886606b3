package registry

import (
	"regexp"
	"strings"
)

// Kind says what a manifest is: a deployable image or an artifact that
// rides along with one (never a tag, an approval request or a rollout).
type Kind string

const (
	KindImage          Kind = "image"           // runnable: an image manifest or an index of them
	KindSignature      Kind = "signature"       // cosign signature (tag .sig, simple signing payload)
	KindAttestation    Kind = "attestation"     // cosign attestation (tag .att, DSSE envelope)
	KindSBOM           Kind = "sbom"            // SPDX, CycloneDX, Syft; cosign tag .sbom
	KindHelmChart      Kind = "helm-chart"      // Helm chart pushed as OCI
	KindSigstoreBundle Kind = "sigstore-bundle" // Sigstore bundle (cosign v3 referrers)
	KindInToto         Kind = "in-toto"         // in-toto statement or attestation
	KindBuildCache     Kind = "buildkit-cache"  // buildkit registry cache
	KindArtifact       Kind = "artifact"        // any other non-image config or artifactType
	KindUnknown        Kind = "unknown"         // not enough information: inspect the manifest
)

// Deployable reports whether k may be rolled out to devices.
func (k Kind) Deployable() bool { return k == KindImage }

// Media is what is known about a manifest: from a notification (media type,
// and with Distribution's includereferences the config and layer types),
// or from the manifest itself. Empty fields mean "not known".
type Media struct {
	MediaType       string
	ArtifactType    string
	ConfigMediaType string
	LayerMediaTypes []string
	Tag             string // the tag it was pushed under, if any
}

// Media types Classify distinguishes.
const (
	MediaOCIIndex       = "application/vnd.oci.image.index.v1+json"
	MediaOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	MediaDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	MediaOCIConfig      = "application/vnd.oci.image.config.v1+json"
	MediaDockerConfig   = "application/vnd.docker.container.image.v1+json"
	MediaCosignPayload  = "application/vnd.dev.cosign.simplesigning.v1+json"
	MediaDSSE           = "application/vnd.dsse.envelope.v1+json"
	MediaHelmConfig     = "application/vnd.cncf.helm.config.v1+json"
)

// Classify decides what a manifest is from what is known about it. It is
// pure so the webhook path can use it on what a notification carries and
// the client on a fetched manifest. The order matters: a cosign tag name
// wins, then artifactType, then the config, then the layers.
func Classify(m Media) Kind {
	if _, suffix, ok := AttachmentSubject(m.Tag); ok {
		return map[string]Kind{"sig": KindSignature, "att": KindAttestation, "sbom": KindSBOM}[suffix]
	}
	if m.ArtifactType != "" {
		return artifactKind(m.ArtifactType)
	}
	switch m.MediaType {
	case MediaOCIIndex, MediaDockerList:
		return KindImage
	case MediaOCIManifest, MediaDockerManifest, "":
	default:
		return KindArtifact // a blob or an unknown manifest format
	}
	switch m.ConfigMediaType {
	case "":
		return KindUnknown
	case MediaOCIConfig, MediaDockerConfig:
		return layersKind(m.LayerMediaTypes)
	}
	return artifactKind(m.ConfigMediaType)
}

// layersKind tells signatures and attestations stored with an image config
// (cosign's tag format) from images.
func layersKind(layers []string) Kind {
	for _, l := range layers {
		switch {
		case l == MediaCosignPayload:
			return KindSignature
		case l == MediaDSSE:
			return KindAttestation
		case isSBOM(l):
			return KindSBOM
		}
	}
	return KindImage
}

// artifactKind names the artifact behind an artifactType or config media type.
func artifactKind(t string) Kind {
	t = strings.ToLower(t)
	switch {
	case strings.Contains(t, "dev.cosign.artifact.sig"), t == MediaCosignPayload:
		return KindSignature
	case strings.HasPrefix(t, "application/vnd.dev.sigstore.bundle"):
		return KindSigstoreBundle
	case strings.Contains(t, "in-toto"), t == MediaDSSE:
		return KindInToto
	case isSBOM(t):
		return KindSBOM
	case strings.HasPrefix(t, "application/vnd.cncf.helm."):
		return KindHelmChart
	case strings.HasPrefix(t, "application/vnd.buildkit.cacheconfig"):
		return KindBuildCache
	}
	return KindArtifact
}

func isSBOM(t string) bool {
	return strings.Contains(t, "spdx") || strings.Contains(t, "cyclonedx") || strings.Contains(t, "syft")
}

var attachmentTag = regexp.MustCompile(`^sha256-([0-9a-f]{64})\.(sig|att|sbom)$`)

// AttachmentSubject reads a cosign tag-format name (sha256-<hex>.sig|.att|.sbom)
// and returns the digest it is attached to and the suffix.
func AttachmentSubject(tag string) (digest, suffix string, ok bool) {
	m := attachmentTag.FindStringSubmatch(tag)
	if m == nil {
		return "", "", false
	}
	return "sha256:" + m[1], m[2], true
}

// AttachmentTag is the cosign tag-format name for digest's suffix
// ("sig", "att" or "sbom"): sha256:abc… → sha256-abc….sig.
func AttachmentTag(digest, suffix string) string {
	return strings.Replace(digest, ":", "-", 1) + "." + suffix
}
