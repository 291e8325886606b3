package policy

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func TestSatisfies(t *testing.T) {
	tests := []struct {
		constraint, tag string
		want            bool
	}{
		{"", "latest", true},
		{">= 7, < 8", "7.5-alpine", true},
		{">= 7, < 8", "7", true},
		{">= 7, < 8", "v7.2.1", true},
		{">= 7, < 8", "8.0", false},
		{">= 7, < 8", "6-alpine", false},
		{">= 7, < 8", "latest", false},
		{">= 7, < 8", "alpine", false},
		{">= 7, < 8", "", false},
		{"~1.25", "1.25.3-bookworm", true},
		{"~1.25", "1.26", false},
		{"^2", "2.1.0-rc1", true}, // the suffix is a variant, pre-release or not
		{">= 1.0.0", "1.2.3+build.5", true},
		{">= 1.0.0", "1.2.3.4", false},
	}
	for _, tt := range tests {
		c, err := parseConstraint(tt.constraint)
		if err != nil {
			t.Fatalf("parseConstraint(%q): %v", tt.constraint, err)
		}
		if got := satisfies(c, tt.tag); got != tt.want {
			t.Errorf("satisfies(%q, %q) = %v, want %v", tt.constraint, tt.tag, got, tt.want)
		}
	}
}

func TestParseConstraintInvalid(t *testing.T) {
	for _, s := range []string{"latest", ">= seven", "7 <", "=>>1", string(make([]byte, 300))} {
		if _, err := parseConstraint(s); airlock.ErrorCode(err) != airlock.EINVALID {
			t.Errorf("parseConstraint(%q) = %v, want a field error", s, err)
		}
	}
}

func FuzzConstraint(f *testing.F) {
	for _, s := range []string{"", ">= 7, < 8", "~1.25", "^2", "1.x", "!= 1.2.3 || >= 3", "latest"} {
		f.Add(s, "7.5-alpine")
	}
	f.Fuzz(func(t *testing.T, constraint, tag string) {
		c, err := parseConstraint(constraint)
		if err != nil {
			return
		}
		satisfies(c, tag)
	})
}
