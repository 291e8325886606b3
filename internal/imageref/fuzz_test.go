package imageref

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"redis", "redis:7.5-alpine", "library/redis", "docker.io/library/redis", "index.docker.io/redis",
		"portainer/portainer-ce", "ghcr.io/acme/a/b:v1@" + dgst, "192.168.100.227:5000/hello-world",
		"localhost/x", "[::1]:5000/x", "Foo/bar", "a:b:c", "", "docker.io/library/a/b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if r.Registry == "" || r.Name == "" {
			t.Fatalf("Parse(%q) = %#v: no registry or name", s, r)
		}
		again, err := Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, r.String(), err)
		}
		if again != r {
			t.Fatalf("Parse(%q) = %#v, but Parse(%q) = %#v", s, r, r.String(), again)
		}
		if r.Tag != "" && ValidTag(r.Tag) != nil {
			t.Fatalf("Parse(%q) gave an invalid tag %q", s, r.Tag)
		}
		if r.Digest != "" && ValidDigest(r.Digest) != nil {
			t.Fatalf("Parse(%q) gave an invalid digest %q", s, r.Digest)
		}
		if f, err := FromParts(r.Registry, r.Namespace, r.Name); err != nil || f != r.WithTag("") {
			t.Fatalf("FromParts(%q, %q, %q) = %#v, %v; want %#v", r.Registry, r.Namespace, r.Name, f, err, r.WithTag(""))
		}
	})
}
