package imageref

import (
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Prefixes are the repository prefixes of internal images, which skip the
// approval check. The zero value matches nothing.
type Prefixes struct {
	repos []string // normalised, e.g. "docker.io/iotistic"
}

// ParsePrefixes normalises configured prefixes the way references are:
// "iotistic/" means "docker.io/iotistic/". Blank entries are skipped, so a
// trailing comma in the configuration is harmless.
func ParsePrefixes(list []string) (Prefixes, error) {
	var p Prefixes
	for _, s := range list {
		s = strings.TrimSuffix(strings.TrimSpace(s), "/")
		if s == "" {
			continue
		}
		repo, err := normalisePrefix(s)
		if err != nil {
			return Prefixes{}, err
		}
		p.repos = append(p.repos, repo)
	}
	return p, nil
}

// normalisePrefix parses s with two path components appended, so that a
// bare namespace is not taken for an official image ("iotistic" is not
// "library/iotistic") and a bare host stays a host ("docker.io").
func normalisePrefix(s string) (string, error) {
	if strings.ToLower(s) != s {
		return "", airlock.FieldErrorf("internal_prefixes", "internal prefix %q must be lowercase", s)
	}
	r, err := Parse(s + "/x/x")
	if err != nil {
		return "", airlock.FieldErrorf("internal_prefixes", "invalid internal prefix %q: want a registry, namespace or repository, such as iotistic/ or ghcr.io/acme/", s)
	}
	return strings.TrimSuffix(r.Repository(), "/x/x"), nil
}

// Match reports whether r's repository lies under one of the prefixes, at a
// path boundary: "iotistic/" matches docker.io/iotistic/agent but neither
// docker.io/iotisticx/agent nor evil.example/iotistic/agent.
func (p Prefixes) Match(r Ref) bool {
	repo := r.Repository()
	for _, pre := range p.repos {
		if repo == pre || strings.HasPrefix(repo, pre+"/") {
			return true
		}
	}
	return false
}
