package registry

import "testing"

func TestClassify(t *testing.T) {
	hex := "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
	cases := []struct {
		name string
		in   Media
		want Kind
	}{
		{"docker image", Media{MediaType: MediaDockerManifest, ConfigMediaType: MediaDockerConfig,
			LayerMediaTypes: []string{"application/vnd.docker.image.rootfs.diff.tar.gzip"}}, KindImage},
		{"oci image", Media{MediaType: MediaOCIManifest, ConfigMediaType: MediaOCIConfig}, KindImage},
		{"oci index", Media{MediaType: MediaOCIIndex}, KindImage},
		{"docker list", Media{MediaType: MediaDockerList}, KindImage},
		{"notification without references", Media{MediaType: MediaOCIManifest}, KindUnknown},
		{"nothing known (Docker Hub)", Media{}, KindUnknown},
		{"cosign tag .sig", Media{Tag: "sha256-" + hex + ".sig"}, KindSignature},
		{"cosign tag .att", Media{Tag: "sha256-" + hex + ".att", MediaType: MediaOCIManifest}, KindAttestation},
		{"cosign tag .sbom", Media{Tag: "sha256-" + hex + ".sbom"}, KindSBOM},
		{"cosign signature by layer", Media{MediaType: MediaOCIManifest, ConfigMediaType: MediaOCIConfig,
			LayerMediaTypes: []string{MediaCosignPayload}}, KindSignature},
		{"cosign attestation by layer", Media{MediaType: MediaOCIManifest, ConfigMediaType: MediaOCIConfig,
			LayerMediaTypes: []string{MediaDSSE}}, KindAttestation},
		{"cosign v2 referrer", Media{MediaType: MediaOCIManifest,
			ArtifactType: "application/vnd.dev.cosign.artifact.sig.v1+json"}, KindSignature},
		{"sigstore bundle", Media{MediaType: MediaOCIManifest,
			ArtifactType: "application/vnd.dev.sigstore.bundle.v0.3+json"}, KindSigstoreBundle},
		{"in-toto", Media{MediaType: MediaOCIManifest, ArtifactType: "application/vnd.in-toto+json"}, KindInToto},
		{"spdx sbom", Media{MediaType: MediaOCIManifest, ArtifactType: "application/spdx+json"}, KindSBOM},
		{"cyclonedx config", Media{MediaType: MediaOCIManifest, ConfigMediaType: "application/vnd.cyclonedx+json"}, KindSBOM},
		{"helm chart", Media{MediaType: MediaOCIManifest, ConfigMediaType: MediaHelmConfig}, KindHelmChart},
		{"buildkit cache", Media{MediaType: MediaOCIManifest,
			ConfigMediaType: "application/vnd.buildkit.cacheconfig.v0"}, KindBuildCache},
		{"index with artifactType", Media{MediaType: MediaOCIIndex, ArtifactType: "application/vnd.example+type"}, KindArtifact},
		{"other config", Media{MediaType: MediaOCIManifest, ConfigMediaType: "application/vnd.wasm.config.v0+json"}, KindArtifact},
		{"a blob", Media{MediaType: "application/octet-stream"}, KindArtifact},
		{"not a cosign tag", Media{Tag: "sha256-abc.sig", MediaType: MediaOCIIndex}, KindImage},
	}
	for _, c := range cases {
		if got := Classify(c.in); got != c.want {
			t.Errorf("%s: Classify = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestAttachmentTags(t *testing.T) {
	d := "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
	for _, suffix := range []string{"sig", "att", "sbom"} {
		tag := AttachmentTag(d, suffix)
		got, s, ok := AttachmentSubject(tag)
		if !ok || got != d || s != suffix {
			t.Errorf("AttachmentSubject(%s) = %s %s %v", tag, got, s, ok)
		}
	}
	for _, tag := range []string{"latest", "sha256-abc.sig", "sha256-" + d[7:] + ".exe", "sha512-" + d[7:] + ".sig"} {
		if _, _, ok := AttachmentSubject(tag); ok {
			t.Errorf("AttachmentSubject(%s) accepted", tag)
		}
	}
}

func TestMirrorPath(t *testing.T) {
	cases := []struct{ mirror, host, repo, want string }{
		{"mirror.lan:5000", "ghcr.io", "acme/agent", "mirror.lan:5000/ghcr.io/acme/agent"},
		{"mirror.lan", "10.0.0.5:5000", "app", "mirror.lan/10.0.0.5-5000/app"},
		{"mirror.lan", "docker.io", "redis", "mirror.lan/docker.io/library/redis"},
		{"mirror.lan", "index.docker.io", "portainer/portainer-ce", "mirror.lan/docker.io/portainer/portainer-ce"},
		{"Mirror.LAN", "Registry.Example.com", "team/app", "mirror.lan/registry.example.com/team/app"},
	}
	for _, c := range cases {
		got, err := MirrorPath(c.mirror, c.host, c.repo)
		if err != nil || got != c.want {
			t.Errorf("MirrorPath(%s, %s, %s) = %q, %v; want %q", c.mirror, c.host, c.repo, got, err, c.want)
		}
	}
	if got, err := MirrorPath("mirror.lan", "[::1]:5000", "app"); err == nil {
		t.Errorf("MirrorPath of an IPv6 host = %q, want an error (no valid path component)", got)
	}
}
