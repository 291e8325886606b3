package imageref

import (
	"errors"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/distribution/reference"
)

const dgst = "sha256:80f0d5c8786bb9e621a45ece0db56d11cdc624ad20da9fe62e9d25490f331d7d"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
	}{
		{"redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"library/redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"docker.io/redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"docker.io/library/redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"index.docker.io/library/redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"redis:7.5-alpine", Ref{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: "7.5-alpine"}},
		{"portainer/portainer-ce", Ref{Registry: "docker.io", Namespace: "portainer", Name: "portainer-ce"}},
		{"ghcr.io/acme/a/b", Ref{Registry: "ghcr.io", Namespace: "acme/a", Name: "b"}},
		{"ghcr.io/x", Ref{Registry: "ghcr.io", Name: "x"}},
		{"192.168.100.227:5000/hello-world", Ref{Registry: "192.168.100.227:5000", Name: "hello-world"}},
		{"localhost/app", Ref{Registry: "localhost", Name: "app"}},
		{"[::1]:5000/app:v1", Ref{Registry: "[::1]:5000", Name: "app", Tag: "v1"}},
		{"redis@" + dgst, Ref{Registry: "docker.io", Namespace: "library", Name: "redis", Digest: dgst}},
		{"quay.io/ns/app:Latest_1@" + dgst, Ref{Registry: "quay.io", Namespace: "ns", Name: "app", Tag: "Latest_1", Digest: dgst}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"Redis",
		"acme/Redis",
		"Acme/redis", // reference would take "Acme" for a host
		"GHCR.IO/acme/x",
		"redis:",
		"redis:-bad",
		"redis:" + strings.Repeat("a", 129),
		"redis@sha256:abc",
		"redis@sha256:" + strings.Repeat("A", 64),
		"redis@md5:" + strings.Repeat("a", 32),
		"a//b",
		"/redis",
		"redis/",
		"https://ghcr.io/acme/x",
		"a b",
		strings.Repeat("f", 64), // an image id, not a name
		"docker.io/" + strings.Repeat("a/", 128) + "a",
	} {
		_, err := Parse(in)
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != "image" {
			t.Errorf("Parse(%q) error = %v, want EINVALID on image", in, err)
		}
	}
}

func TestRefMethods(t *testing.T) {
	tests := []struct {
		in                        string
		repository, str, familiar string
	}{
		{"redis", "docker.io/library/redis", "docker.io/library/redis", "redis"},
		{"redis:7", "docker.io/library/redis", "docker.io/library/redis:7", "redis"},
		{"portainer/portainer-ce@" + dgst, "docker.io/portainer/portainer-ce", "docker.io/portainer/portainer-ce@" + dgst, "portainer/portainer-ce"},
		{"docker.io/library/a/b:1", "docker.io/library/a/b", "docker.io/library/a/b:1", "library/a/b"},
		{"ghcr.io/acme/x:1@" + dgst, "ghcr.io/acme/x", "ghcr.io/acme/x:1@" + dgst, "ghcr.io/acme/x"},
		{"192.168.100.227:5000/hello-world:latest", "192.168.100.227:5000/hello-world", "192.168.100.227:5000/hello-world:latest", "192.168.100.227:5000/hello-world"},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := r.Repository(); got != tt.repository {
			t.Errorf("%q: Repository() = %q, want %q", tt.in, got, tt.repository)
		}
		if got := r.String(); got != tt.str {
			t.Errorf("%q: String() = %q, want %q", tt.in, got, tt.str)
		}
		if got := r.Familiar(); got != tt.familiar {
			t.Errorf("%q: Familiar() = %q, want %q", tt.in, got, tt.familiar)
		}
		named, err := reference.ParseNormalizedNamed(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if want := reference.FamiliarName(named); r.Familiar() != want {
			t.Errorf("%q: Familiar() = %q, reference.FamiliarName = %q", tt.in, r.Familiar(), want)
		}
	}
}

func TestWithTag(t *testing.T) {
	r, err := Parse("redis:7.4@" + dgst)
	if err != nil {
		t.Fatal(err)
	}
	got := r.WithTag("7.5")
	want := Ref{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: "7.5"}
	if got != want {
		t.Errorf("WithTag = %#v, want %#v", got, want)
	}
	if r.Tag != "7.4" || r.Digest != dgst {
		t.Errorf("WithTag changed its receiver: %#v", r)
	}
}

func TestValidTag(t *testing.T) {
	for _, tag := range []string{"latest", "7.5-alpine", "V1", "_x", "1.0.0-rc.1", "a__b", strings.Repeat("a", 128)} {
		if err := ValidTag(tag); err != nil {
			t.Errorf("ValidTag(%q): %v", tag, err)
		}
	}
	for _, tag := range []string{"", ".x", "-x", "a:b", "a/b", "a b", "é", strings.Repeat("a", 129), "sha256:" + strings.Repeat("a", 64)} {
		err := ValidTag(tag)
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != "tag" {
			t.Errorf("ValidTag(%q) = %v, want EINVALID on tag", tag, err)
		}
	}
}

func TestValidDigest(t *testing.T) {
	for _, d := range []string{dgst, "sha512:" + strings.Repeat("0a", 64)} {
		if err := ValidDigest(d); err != nil {
			t.Errorf("ValidDigest(%q): %v", d, err)
		}
	}
	for _, d := range []string{
		"",
		"sha256",
		"sha256:",
		strings.TrimPrefix(dgst, "sha256:"),
		"sha256:abc",
		"sha256:" + strings.Repeat("A", 64),
		"sha256:" + strings.Repeat("g", 64),
		"md5:" + strings.Repeat("a", 32),
		dgst + "0",
	} {
		err := ValidDigest(d)
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != "digest" {
			t.Errorf("ValidDigest(%q) = %v, want EINVALID on digest", d, err)
		}
	}
}
