package webhook

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/artifact"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/google/go-cmp/cmp"
)

const (
	ociIndex       = "application/vnd.oci.image.index.v1+json"
	ociManifest    = "application/vnd.oci.image.manifest.v1+json"
	dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
)

// The payloads in testdata are copies of ../shared/fixtures/webhooks; their
// SOURCES.md says where each comes from and what it must decode to.
var fixtures = []struct {
	file   string
	source string
	want   Delivery
}{
	{"dockerhub.json", "dockerhub", Delivery{Pushes: []Push{{
		Ref:      imageref.Ref{Registry: "docker.io", Namespace: "svendowideit", Name: "testhook", Tag: "latest"},
		PushedAt: time.Unix(1417566161, 0).UTC(),
		Pusher:   "trustedbuilder",
	}}}},
	{"dockerhub-official.json", "dockerhub", Delivery{Pushes: []Push{{
		Ref:      imageref.Ref{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: "7.5-alpine"},
		PushedAt: time.Unix(1732790000, 0).UTC(),
		Pusher:   "doijanky",
	}}}},
	{"dockerhub-captured.json", "dockerhub", Delivery{Pushes: []Push{{
		Ref:      imageref.Ref{Registry: "docker.io", Namespace: "fireflyiii", Name: "core", Tag: "develop"},
		PushedAt: time.Unix(1631871970, 0).UTC(),
		Pusher:   "jc5x",
	}}}},
	{"ghcr-package.json", "ghcr", Delivery{Pushes: []Push{{
		DeliveryID: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
		Ref: imageref.Ref{Registry: "ghcr.io", Namespace: "dsamborschi", Name: "agent", Tag: "v2.1.0",
			Digest: "sha256:1b3c0f2a9ac1f0a1d6d1b43d63ad7de2b4ab7a4bd3c4f7c1d0b7a3e1f9e2d4c5"},
		PushedAt: time.Date(2026, 11, 20, 9, 31, 10, 0, time.UTC),
		Pusher:   "dsamborschi",
	}}}},
	{"ghcr-package-captured.json", "ghcr", Delivery{Pushes: []Push{{
		Ref: imageref.Ref{Registry: "ghcr.io", Namespace: "theryangeary", Name: "www", Tag: "0e2a89b",
			Digest: "sha256:89160c587d0c36bf54090497a465445c14980ba48efbcf3b0d03c49b76f3feb8"},
		Pusher: "theryangeary", // created_at is GitHub's 0001-01-01: unknown
	}}}},
	{"harbor.json", "harbor", Delivery{Pushes: []Push{{
		Ref: imageref.Ref{Registry: "hub.harbor.com", Namespace: "test-webhook", Name: "debian", Tag: "latest",
			Digest: "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8"},
		PushedAt: time.Unix(1586922308, 0).UTC(),
		Pusher:   "admin",
	}}}},
	{"harbor-cloudevents-pull.json", "harbor", Delivery{Ignored: `event type "harbor.artifact.pulled" is not a push`}},
	{"quay.json", "quay", Delivery{Pushes: []Push{{
		Ref: imageref.Ref{Registry: "quay.io", Namespace: "mynamespace", Name: "repository", Tag: "latest"},
	}}}},
	{"distribution.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "8a2f3c51-9d10-4c7e-b3f4-0f6a1c2d3e4f",
		Ref: imageref.Ref{Registry: "192.168.100.227:5000", Name: "hello-world", Tag: "latest",
			Digest: "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf"},
		PushedAt: time.Date(2016, 3, 9, 22, 45, 2, 118303110, time.UTC),
		Pusher:   "ci-bot",
		Manifest: artifact.Manifest{MediaType: dockerManifest},
	}}}},
	{"distribution-captured.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "d83e8796-7ba5-46ad-b239-d88473e21b2b",
		Ref: imageref.Ref{Registry: "registry.git.erxes.io", Namespace: "shinebayar-g", Name: "a", Tag: "0.01",
			Digest: "sha256:4afff550708506c5b8b7384ad10d401a02b29ed587cb2730cb02753095b5178d"},
		PushedAt: time.Date(2018, 10, 11, 13, 53, 21, 859222576, time.UTC),
		Pusher:   "shinebayar-g",
		Manifest: artifact.Manifest{MediaType: dockerManifest},
	}}}},
	{"distribution-v3-index-platforms.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "01a23446-2c21-74a1-88f0-b22a7195fba0",
		Ref: imageref.Ref{Registry: "127.0.0.1:5210", Namespace: "acme", Name: "sensor", Tag: "2.0.0",
			Digest: "sha256:eb7700bf4bda8b5b267a64619b217acb33a21c5cf79adf9dc39b270c90245a7c"},
		PushedAt: time.Date(2026, 12, 2, 1, 2, 23, 777304196, time.UTC),
		Manifest: artifact.Manifest{MediaType: ociIndex},
	}}}},
	{"distribution-v3-cosign-signature.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "01a23448-872a-7395-b957-4edce6381c27",
		Ref: imageref.Ref{Registry: "127.0.0.1:5210", Namespace: "acme", Name: "sensor",
			Tag:    "sha256-eb7700bf4bda8b5b267a64619b217acb33a21c5cf79adf9dc39b270c90245a7c.sig",
			Digest: "sha256:d05ec0485d72d724a0fd8807055b86014583325084f666e52b59754d81672c7a"},
		PushedAt: time.Date(2026, 12, 2, 1, 4, 58, 154235922, time.UTC),
		Manifest: artifact.Manifest{MediaType: ociManifest, Config: "application/vnd.oci.image.config.v1+json",
			Layers: []string{"application/vnd.dev.cosign.simplesigning.v1+json"}},
	}}}},
	{"distribution-v3-sbom.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "01a23448-b6eb-7539-a690-cff83dc4b310",
		Ref: imageref.Ref{Registry: "127.0.0.1:5210", Namespace: "acme", Name: "sensor", Tag: "sbom-2.0.0",
			Digest: "sha256:1ce9a6db561207c043163df9e9817c7f982277303022489569c14982b15a9274"},
		PushedAt: time.Date(2026, 12, 2, 1, 5, 10, 379342778, time.UTC),
		Manifest: artifact.Manifest{MediaType: ociManifest, Config: "application/vnd.oci.empty.v1+json", Layers: []string{"application/spdx+json"}},
	}}}},
	{"distribution-v3-helm-chart.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "01a23448-b72d-7696-9ca3-b7688c92c0d3",
		Ref: imageref.Ref{Registry: "127.0.0.1:5210", Namespace: "acme", Name: "sensor", Tag: "0.1.0",
			Digest: "sha256:bca81355539f74779edf8d5d144b5c9c13e4f925dcd3ba8bd3005000249d207c"},
		PushedAt: time.Date(2026, 12, 2, 1, 5, 10, 445432230, time.UTC),
		Manifest: artifact.Manifest{MediaType: ociManifest, Config: "application/vnd.cncf.helm.config.v1+json",
			Layers: []string{"application/vnd.cncf.helm.chart.content.v1.tar+gzip"}},
	}}}},
	// The pusher's Host header: the credential, not this, names the registry.
	{"distribution-v3-host-spoofed.json", "distribution", Delivery{Pushes: []Push{{
		DeliveryID: "01a23447-2e64-7d50-80bb-cfc8de432f31",
		Ref: imageref.Ref{Registry: "docker.io", Namespace: "iotistic", Name: "agent", Tag: "v2.2.0",
			Digest: "sha256:fcea6ab6a8b53966046cee262ea97b556732d94ddc19bd33f92d9c832087e9d5"},
		PushedAt: time.Date(2026, 12, 2, 1, 3, 29, 892873810, time.UTC),
		Manifest: artifact.Manifest{MediaType: dockerManifest, Config: "application/vnd.docker.container.image.v1+json",
			Layers: []string{"application/vnd.docker.image.rootfs.diff.tar.gzip"}},
	}}}},
	{"distribution-blobs.json", "distribution", Delivery{Ignored: "no tagged manifest push among 3 events: blob push, untagged manifest push"}},
	{"acr.json", "acr", Delivery{Pushes: []Push{{
		DeliveryID: "cb8c3971-9adc-488b-bdd8-43cbb4974ff5",
		Ref: imageref.Ref{Registry: "myregistry.azurecr.io", Name: "hello-world", Tag: "v1",
			Digest: "sha256:80f0d5c8786bb9e621a45ece0db56d11cdc624ad20da9fe62e9d25490f331d7d"},
		PushedAt: time.Date(2017, 11, 17, 16, 52, 1, 343145347, time.UTC),
		Manifest: artifact.Manifest{MediaType: dockerManifest},
	}}}},
	{"generic.json", "generic", Delivery{Pushes: []Push{{
		Ref: imageref.Ref{Registry: "registry.example.com", Namespace: "acme", Name: "sensor-gateway", Tag: "1.4.2",
			Digest: "sha256:2f1d3c4b5a6978877665544332211000ffeeddccbbaa99887766554433221100"},
	}}}},
}

func TestFixtures(t *testing.T) {
	for _, fx := range fixtures {
		body, h := readFixture(t, fx.file)
		want := fx.want
		want.Source = fx.source
		for i := range want.Pushes {
			p := &want.Pushes[i]
			p.Source, p.Manifest.Tag = fx.source, p.Ref.Tag
		}
		// By name, by detection from headers and shape, and by the guide's route.
		for _, source := range []string{fx.source, "", "docker-registry"} {
			got, err := Decode(source, h, body)
			if err != nil {
				t.Errorf("%s as %q: %v", fx.file, source, err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s as %q (-want +got):\n%s", fx.file, source, diff)
			}
		}
	}
}

// Every fixture is recognised from its body alone, as a proxy that strips
// headers would leave it.
func TestDetectFromBody(t *testing.T) {
	for _, fx := range fixtures {
		body, _ := readFixture(t, fx.file)
		got, err := Decode("", http.Header{}, body)
		if err != nil || got.Source != fx.source {
			t.Errorf("%s detected as %q, %v; want %q", fx.file, got.Source, err, fx.source)
		}
	}
}

// Each fixture fed to every other decoder is refused or ignored, never
// mistaken for a push.
func TestFixturesElsewhere(t *testing.T) {
	for _, fx := range fixtures {
		body, _ := readFixture(t, fx.file)
		for _, source := range Sources {
			if source == fx.source {
				continue
			}
			got, err := Decode(source, http.Header{}, body)
			if err == nil && len(got.Pushes) > 0 {
				t.Errorf("%s as %s: %+v", fx.file, source, got.Pushes)
			}
		}
	}
}

func TestEveryFixtureTested(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, fx := range fixtures {
		tested[fx.file] = true
	}
	for _, f := range files {
		if !tested[filepath.Base(f)] {
			t.Errorf("%s has no expectation", f)
		}
	}
}

// readFixture returns a payload and the headers in its sibling
// NAME.headers.txt, if there is one.
func readFixture(t testing.TB, file string) ([]byte, http.Header) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	raw, err := os.ReadFile(filepath.Join("testdata", strings.TrimSuffix(file, ".json")+".headers.txt"))
	if os.IsNotExist(err) {
		return body, h
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			h.Add(k, strings.TrimSpace(v))
		}
	}
	return body, h
}
