package artifact_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/artifact"
)

const hex64 = "eb7700bf4bda8b5b267a64619b217acb33a21c5cf79adf9dc39b270c90245a7c"

func TestDetect(t *testing.T) {
	const (
		ociManifest = "application/vnd.oci.image.manifest.v1+json"
		ociConfig   = "application/vnd.oci.image.config.v1+json"
		ociLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	)
	tests := []struct {
		name    string
		m       artifact.Manifest
		want    bool
		kind    string
		subject string
	}{
		{"tag only: an image", artifact.Manifest{Tag: "v1"}, false, "", ""},
		{"OCI image", artifact.Manifest{Tag: "v1", MediaType: ociManifest, Config: ociConfig, Layers: []string{ociLayer}}, false, "", ""},
		{"Docker image", artifact.Manifest{Tag: "v1", MediaType: "application/vnd.docker.distribution.manifest.v2+json",
			Config: "application/vnd.docker.container.image.v1+json", Layers: []string{"application/vnd.docker.image.rootfs.diff.tar.gzip"}}, false, "", ""},
		{"index", artifact.Manifest{Tag: "2.0.0", MediaType: "application/vnd.oci.image.index.v1+json"}, false, "", ""},
		{"cosign signature tag", artifact.Manifest{Tag: "sha256-" + hex64 + ".sig"}, true, "signature", "sha256:" + hex64},
		{"cosign attestation tag", artifact.Manifest{Tag: "sha256-" + hex64 + ".att"}, true, "attestation", "sha256:" + hex64},
		{"cosign sbom tag", artifact.Manifest{Tag: "sha256-" + hex64 + ".sbom"}, true, "sbom", "sha256:" + hex64},
		{"almost a cosign tag", artifact.Manifest{Tag: "sha256-" + hex64[:10] + ".sig"}, false, "", ""},
		{"cosign layer under another tag", artifact.Manifest{Tag: "signed", MediaType: ociManifest, Config: ociConfig,
			Layers: []string{"application/vnd.dev.cosign.simplesigning.v1+json"}}, true, "signature", ""},
		{"SBOM: empty config, SPDX layer", artifact.Manifest{Tag: "sbom-2.0.0", MediaType: ociManifest,
			Config: "application/vnd.oci.empty.v1+json", Layers: []string{"application/spdx+json"}}, true, "sbom", ""},
		{"Helm chart", artifact.Manifest{Tag: "0.1.0", MediaType: ociManifest, Config: "application/vnd.cncf.helm.config.v1+json",
			Layers: []string{"application/vnd.cncf.helm.chart.content.v1.tar+gzip"}}, true, "helm_chart", ""},
		{"Sigstore bundle by artifactType", artifact.Manifest{Tag: "bundle", MediaType: ociManifest,
			ArtifactType: "application/vnd.dev.sigstore.bundle.v0.3+json"}, true, "signature", ""},
		{"in-toto attestation", artifact.Manifest{Tag: "att", ArtifactType: "application/vnd.in-toto+json"}, true, "attestation", ""},
		{"buildkit cache", artifact.Manifest{Tag: "cache", MediaType: ociManifest, Config: "application/vnd.buildkit.cacheconfig.v0"}, true, "artifact", ""},
		{"index with an artifactType", artifact.Manifest{Tag: "x", MediaType: "application/vnd.oci.image.index.v1+json",
			ArtifactType: "application/vnd.example+type"}, true, "artifact", ""},
	}
	for _, tt := range tests {
		got := artifact.Detect(tt.m)
		if got.Artifact != tt.want || got.Kind != tt.kind || got.Subject != tt.subject {
			t.Errorf("%s: Detect = %+v, want artifact=%v kind=%q subject=%q", tt.name, got, tt.want, tt.kind, tt.subject)
		}
		if got.Artifact && got.Reason == "" {
			t.Errorf("%s: no reason", tt.name)
		}
	}
}
