package imageref

import "testing"

func TestCanonicalHost(t *testing.T) {
	for in, want := range map[string]string{"Registry.Example.com:5000": "registry.example.com:5000", "[::1]:5210": "[::1]:5210",
		"localhost:5210": "localhost:5210", "127.0.0.1:5210": "127.0.0.1:5210", "index.docker.io": "docker.io", " ghcr.io ": "ghcr.io"} {
		if got, err := CanonicalHost("host", in); err != nil || got != want {
			t.Errorf("CanonicalHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "http://r.example.com", "r.example.com/path", "foo_bar:5210", "registry", "a b"} {
		if got, err := CanonicalHost("host", in); err == nil {
			t.Errorf("CanonicalHost(%q) = %q, want an error", in, got)
		}
	}
}
