package imageref

import (
	"errors"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func TestPrefixesMatch(t *testing.T) {
	p, err := ParsePrefixes([]string{"iotistic/", "ghcr.io/dsamborschi/", " localhost:5000 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		image string
		want  bool
	}{
		{"iotistic/agent", true},
		{"iotistic/agent:v2.1.0", true},
		{"docker.io/iotistic/agent", true},
		{"index.docker.io/iotistic/agent", true},
		{"iotistic/tools/cli", true},
		{"ghcr.io/dsamborschi/agent", true},
		{"ghcr.io/dsamborschi/a/b", true},
		{"localhost:5000/anything", true},
		{"evil.example/iotistic/agent", false},
		{"iotisticx/agent", false},
		{"iotistic", false}, // docker.io/library/iotistic
		{"library/iotistic", false},
		{"ghcr.io/dsamborschix/agent", false},
		{"ghcr.io/evil/dsamborschi/agent", false},
		{"docker.io/dsamborschi/agent", false},
		{"localhost/anything", false},
		{"redis", false},
	}
	for _, tt := range tests {
		r, err := Parse(tt.image)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match(r); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.image, got, tt.want)
		}
	}
}

func TestParsePrefixesNormalises(t *testing.T) {
	tests := []struct {
		prefix string
		want   string
	}{
		{"iotistic/", "docker.io/iotistic"},
		{"iotistic", "docker.io/iotistic"},
		{"docker.io/iotistic/", "docker.io/iotistic"},
		{"index.docker.io/iotistic/", "docker.io/iotistic"},
		{"library/", "docker.io/library"},
		{"docker.io/", "docker.io"},
		{"ghcr.io/dsamborschi/", "ghcr.io/dsamborschi"},
		{"ghcr.io/acme/agent", "ghcr.io/acme/agent"},
		{"192.168.1.2:5000", "192.168.1.2:5000"},
	}
	for _, tt := range tests {
		p, err := ParsePrefixes([]string{tt.prefix})
		if err != nil {
			t.Errorf("ParsePrefixes(%q): %v", tt.prefix, err)
			continue
		}
		if len(p.repos) != 1 || p.repos[0] != tt.want {
			t.Errorf("ParsePrefixes(%q) = %q, want %q", tt.prefix, p.repos, tt.want)
		}
	}
}

func TestParsePrefixesInvalid(t *testing.T) {
	for _, s := range []string{"Iotistic/", "iotistic/agent:v1", "https://ghcr.io/", "a//b", "-x/"} {
		_, err := ParsePrefixes([]string{"iotistic/", s})
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != "internal_prefixes" {
			t.Errorf("ParsePrefixes(%q) error = %v, want EINVALID on internal_prefixes", s, err)
		}
	}
}

func TestPrefixesZero(t *testing.T) {
	var p Prefixes
	r, _ := Parse("iotistic/agent")
	if p.Match(r) {
		t.Error("the zero Prefixes matched")
	}
}
