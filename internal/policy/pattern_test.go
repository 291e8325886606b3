package policy_test

import (
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/policy"
)

func TestParsePatternValid(t *testing.T) {
	for _, s := range []string{
		"redis", "redis:*", "redis:7.*", "library/redis:7-alpine", "docker.io/library/redis",
		"ghcr.io/acme/*:stable", "iotistic/*", "*", "*foo", "foo-*", "a*b*c", "portainer/portainer-ce",
		"localhost/app", "localhost:5000/team/app:v1", "registry.example.com:443/a/b/c:*-alpine",
		"my__app", "my--app", "redis:_", "redis:" + strings.Repeat("a", 128), "index.docker.io/redis",
	} {
		if _, err := policy.ParsePattern(s); err != nil {
			t.Errorf("ParsePattern(%q): %v", s, err)
		}
	}
}

func TestParsePatternInvalid(t *testing.T) {
	for _, s := range []string{
		"", "Redis", "redis:", "redis::7", "/redis", "redis/", "a//b", "**", "redis:**",
		"-*", "*-", "*.", "_redis", "redis@sha256:abc", "re dis", "redis:7 ", "redis:.7", "redis:-7",
		"*.io/acme/app", "ghcr.io:port/app", "GHCR.io/app", "red?s", "red[i]s", "redi\\s", "redis:7?",
		"redis:" + strings.Repeat("a", 129), strings.Repeat("a/", 300) + "b",
		"redis:a/b", "red%is", "redis:ü",
	} {
		p, err := policy.ParsePattern(s)
		if err == nil {
			t.Errorf("ParsePattern(%q) = %v, want an error", s, p)
			continue
		}
		if airlock.ErrorCode(err) != airlock.EINVALID || !strings.HasPrefix(err.Error(), "invalid: image_pattern: ") {
			t.Errorf("ParsePattern(%q): error %v is not a field error on image_pattern", s, err)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, repo, tag string
		want               bool
	}{
		{"redis", "docker.io/library/redis", "7", true},
		{"redis:*", "docker.io/library/redis", "latest", true},
		{"redis", "docker.io/library/redis-stack", "7", false},
		{"redis", "docker.io/bitnami/redis", "7", false},
		{"redis", "ghcr.io/library/redis", "7", false},
		{"docker.io/library/redis", "docker.io/library/redis", "7", true},
		{"index.docker.io/redis", "docker.io/library/redis", "7", true},
		{"library/redis:7-alpine", "docker.io/library/redis", "7-alpine", true},
		{"library/redis:7-alpine", "docker.io/library/redis", "7", false},
		{"redis:7.*", "docker.io/library/redis", "7.5-alpine", true},
		{"redis:7.*", "docker.io/library/redis", "6.2", false},
		{"redis:7.*", "docker.io/library/redis", "7", false},
		{"redis:*-alpine", "docker.io/library/redis", "7.5-alpine", true},
		{"ghcr.io/acme/*:stable", "ghcr.io/acme/api", "stable", true},
		{"ghcr.io/acme/*:stable", "ghcr.io/acme/api", "edge", false},
		{"ghcr.io/acme/*:stable", "ghcr.io/acme/team/api", "stable", false}, // '*' stays in its segment
		{"ghcr.io/acme/*:stable", "docker.io/acme/api", "stable", false},
		{"iotistic/*", "docker.io/iotistic/agent", "v2.1.0", true},
		{"iotistic/*", "docker.io/iotistic", "v2.1.0", false},
		{"*/redis", "docker.io/bitnami/redis", "7", true},
		{"*", "docker.io/library/nginx", "1", true},
		{"*", "docker.io/bitnami/nginx", "1", false},
		{"*foo", "docker.io/library/barfoo", "1", true},
		{"*foo", "docker.io/library/foo", "1", true},
		{"*foo", "docker.io/library/foobar", "1", false},
		{"localhost:5000/team/app:v1", "localhost:5000/team/app", "v1", true},
		{"localhost:5000", "docker.io/library/localhost", "5000", true}, // like Docker: image localhost, tag 5000
		{"ghcr.io/app", "ghcr.io/app", "1", true},
		{"redis:Latest", "docker.io/library/redis", "latest", false}, // tags are case-sensitive
	}
	for _, tt := range tests {
		p, err := policy.ParsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
		}
		if got := p.Match(tt.repo, tt.tag); got != tt.want {
			t.Errorf("%q.Match(%q, %q) = %v, want %v", tt.pattern, tt.repo, tt.tag, got, tt.want)
		}
	}
}

func TestSpecificity(t *testing.T) {
	// Each pattern is strictly more specific than the next; all match redis:7.5-alpine.
	ranked := []string{
		"redis:7.5-alpine",
		"redis:7.5*",
		"redis:7*",
		"redis:*",
		"redis",
		"library/redis*:7.5-alpine",
		"library/redis*",
		"library/re*",
		"library/*:7.5-alpine",
		"library/*",
		"*/redis",
	}
	for i := 0; i+1 < len(ranked); i++ {
		a, b := mustParse(t, ranked[i]), mustParse(t, ranked[i+1])
		if !a.Match("docker.io/library/redis", "7.5-alpine") {
			t.Errorf("%q does not match", a)
		}
		if a.Specificity().Compare(b.Specificity()) <= 0 || b.Specificity().Compare(a.Specificity()) >= 0 {
			t.Errorf("%q (%+v) not more specific than %q (%+v)", a, a.Specificity(), b, b.Specificity())
		}
	}
	if a, b := mustParse(t, "redis"), mustParse(t, "docker.io/library/redis"); a.Specificity() != b.Specificity() {
		t.Errorf("spellings of one pattern rank differently: %+v, %+v", a.Specificity(), b.Specificity())
	}
}

func mustParse(t *testing.T, s string) policy.Pattern {
	t.Helper()
	p, err := policy.ParsePattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"redis", "redis:*", "redis:7.*", "library/redis:7-alpine", "ghcr.io/acme/*:stable", "iotistic/*",
		"*foo", "localhost:5000/a/b:c", "a//b", "Redis", "redis@sha256:x", "*.io/x", "[a]", "a:b:c", "**",
	} {
		f.Add(s, "docker.io/library/redis", "7.5-alpine")
	}
	f.Fuzz(func(t *testing.T, s, repo, tag string) {
		p, err := policy.ParsePattern(s)
		if err != nil {
			if airlock.ErrorCode(err) != airlock.EINVALID {
				t.Fatalf("ParsePattern(%q): error %v is not EINVALID", s, err)
			}
			return
		}
		p.Match(repo, tag)
		p.Specificity()
		// A valid pattern with its '*'s read as letters names a real image it matches.
		lit := mustParse(t, strings.ReplaceAll(s, "*", "a"))
		if p.Specificity().Compare(lit.Specificity()) > 0 {
			t.Fatalf("%q ranks above its literal instance %q", s, lit)
		}
	})
}
