package imageref

import (
	"errors"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func TestFromParts(t *testing.T) {
	tests := []struct {
		registry, namespace, name string
		want                      Ref
	}{
		{"", "", "redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"docker.io", "", "redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"index.docker.io", "", "redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"", "library", "redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"", "", "library/redis", Ref{Registry: "docker.io", Namespace: "library", Name: "redis"}},
		{"", "", "portainer/portainer-ce", Ref{Registry: "docker.io", Namespace: "portainer", Name: "portainer-ce"}},
		{"", "portainer", "portainer-ce", Ref{Registry: "docker.io", Namespace: "portainer", Name: "portainer-ce"}},
		{"", "portainer", "portainer/portainer-ce", Ref{Registry: "docker.io", Namespace: "portainer", Name: "portainer-ce"}},
		{"ghcr.io", "acme", "x", Ref{Registry: "ghcr.io", Namespace: "acme", Name: "x"}},
		{"ghcr.io", "", "acme/a/b", Ref{Registry: "ghcr.io", Namespace: "acme/a", Name: "b"}},
		{"ghcr.io", "acme/a", "b", Ref{Registry: "ghcr.io", Namespace: "acme/a", Name: "b"}},
		{"ghcr.io", "", "x", Ref{Registry: "ghcr.io", Name: "x"}}, // "library" is Docker Hub's only
		{"192.168.100.227:5000", "", "hello-world", Ref{Registry: "192.168.100.227:5000", Name: "hello-world"}},
		{"localhost", "", "app", Ref{Registry: "localhost", Name: "app"}},
		// The registry inside image_name, as docker pull reads it.
		{"", "", "ghcr.io/acme/x", Ref{Registry: "ghcr.io", Namespace: "acme", Name: "x"}},
		{"", "", "localhost:5000/app", Ref{Registry: "localhost:5000", Name: "app"}},
		// With a registry given, image_name is all path.
		{"registry.example.com", "", "team.a/app", Ref{Registry: "registry.example.com", Namespace: "team.a", Name: "app"}},
		// With a namespace given apart, a dotted one is a namespace.
		{"", "my.org", "app", Ref{Registry: "docker.io", Namespace: "my.org", Name: "app"}},
	}
	for _, tt := range tests {
		got, err := FromParts(tt.registry, tt.namespace, tt.name)
		if err != nil {
			t.Errorf("FromParts(%q, %q, %q): %v", tt.registry, tt.namespace, tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("FromParts(%q, %q, %q) = %#v, want %#v", tt.registry, tt.namespace, tt.name, got, tt.want)
		}
	}
}

func TestFromPartsInvalid(t *testing.T) {
	tests := []struct {
		registry, namespace, name string
		field                     string
	}{
		{"", "", "", "image_name"},
		{"", "acme", "", "image_name"},
		{"", "", "Redis", "image_name"},
		{"", "", "redis:7", "image_name"},
		{"", "", "redis@" + dgst, "image_name"},
		{"", "", "a//b", "image_name"},
		{"", "", "-a", "image_name"},
		{"", "", "/a", "image_name"},
		{"", "", "a/", "image_name"},
		{"", "", "ghcr.io/Acme/x", "image_name"},
		{"", "", "GHCR.io/acme/x", "image_name"},
		{"", "", "bad_host.io:x/acme", "image_name"},
		{"", "", "docker.io/" + strings.Repeat("a/", 128) + "a", "image_name"},
		{"", "Portainer", "portainer-ce", "namespace"},
		{"", "a//b", "x", "namespace"},
		{"", "portainer", "other/portainer-ce", "namespace"},
		{"ghcr.io", "acme", "a/b", "namespace"},
		{"GHCR.io", "", "x", "registry"},
		{"https://ghcr.io", "", "x", "registry"},
		{"ghcr.io/acme", "", "x", "registry"},
		{"ghcr.io:port", "", "x", "registry"},
		{"registry", "", "x", "registry"}, // docker would read it as a namespace
	}
	for _, tt := range tests {
		_, err := FromParts(tt.registry, tt.namespace, tt.name)
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != tt.field {
			t.Errorf("FromParts(%q, %q, %q) error = %v, want EINVALID on %s", tt.registry, tt.namespace, tt.name, err, tt.field)
		}
	}
}

// FromParts and Parse agree on every name both accept.
func TestFromPartsMatchesParse(t *testing.T) {
	for _, name := range []string{"redis", "library/redis", "portainer/portainer-ce", "ghcr.io/acme/a/b", "quay.io/x", "localhost/app", "docker.io/acme/x"} {
		p, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := FromParts("", "", name)
		if err != nil {
			t.Fatalf("FromParts(%q): %v", name, err)
		}
		if p != f {
			t.Errorf("%q: Parse = %#v, FromParts = %#v", name, p, f)
		}
	}
}
