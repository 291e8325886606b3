// Package policy decides which image_update_policy governs a pushed image:
// it parses and matches image patterns, ranks them by specificity, checks
// tag constraints and validates policies on write.
package policy

import (
	"path"
	"regexp"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Pattern is a parsed image_pattern, [registry/][namespace/]name[:tag-glob].
//
// The repository is normalised like Docker: without a registry host (a
// first component holding '.' or ':', or "localhost") it is docker.io, and
// a single docker.io component gets the "library" namespace. So "redis:*"
// is docker.io/library/redis and "iotistic/*" docker.io/iotistic/*.
//
// '*' matches any run of characters within one path segment or within the
// tag, and is the only metacharacter. The registry is always literal. A
// segment or tag with '*' must read as a valid name when each '*' stands for
// a letter, so a pattern can never match only invalid names ("-*" is
// refused; "*foo" is accepted and matches names ending in "foo"). Without a
// tag part every tag matches.
type Pattern struct {
	raw  string
	repo string // normalised, possibly globbed: "docker.io/library/redis"
	tag  string // "" = any tag
}

const maxPatternLen = 512

var (
	// Docker's grammar for a path component and a tag; '*' is checked by substitution.
	componentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagRE       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	hostRE      = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::[0-9]{1,5})?$`)
)

// ParsePattern parses and validates an image pattern. Every error is an
// EINVALID on the field image_pattern.
func ParsePattern(s string) (Pattern, error) {
	switch {
	case s == "":
		return Pattern{}, patternErr("must not be empty")
	case len(s) > maxPatternLen:
		return Pattern{}, patternErr("must be at most %d characters", maxPatternLen)
	case strings.Contains(s, "@"):
		return Pattern{}, patternErr("digests are not supported; match a tag instead")
	}
	name, tag, hasTag := splitTag(s)
	if hasTag {
		if err := checkTag(tag); err != nil {
			return Pattern{}, err
		}
	}
	repo, err := normalise(name)
	if err != nil {
		return Pattern{}, err
	}
	return Pattern{raw: s, repo: repo, tag: tag}, nil
}

// splitTag splits at the last ':' if it follows the last '/', so a
// registry port ("localhost:5000/app") is not taken for a tag.
func splitTag(s string) (name, tag string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || i < strings.LastIndexByte(s, '/') {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

func normalise(name string) (string, error) {
	parts := strings.Split(name, "/")
	registry := "docker.io"
	if len(parts) > 1 && isHost(parts[0]) {
		registry, parts = parts[0], parts[1:]
		if err := checkHost(registry); err != nil {
			return "", err
		}
	}
	if registry == "index.docker.io" {
		registry = "docker.io"
	}
	if registry == "docker.io" && len(parts) == 1 {
		parts = []string{"library", parts[0]}
	}
	for _, p := range parts {
		if err := checkComponent(p); err != nil {
			return "", err
		}
	}
	repo := registry + "/" + strings.Join(parts, "/")
	if len(repo) > 255 {
		return "", patternErr("repository must be at most 255 characters")
	}
	return repo, nil
}

func isHost(s string) bool {
	return strings.ContainsAny(s, ".:") || s == "localhost"
}

func checkHost(h string) error {
	switch {
	case strings.Contains(h, "*"):
		return patternErr("registry %q cannot contain '*'", h)
	case !hostRE.MatchString(h):
		return patternErr("registry %q is not a valid lowercase host[:port]", h)
	}
	return nil
}

func checkComponent(c string) error {
	switch {
	case c == "":
		return patternErr("empty path segment")
	case strings.Contains(c, "**"):
		return patternErr("segment %q: use a single '*'", c)
	case strings.ToLower(c) != c:
		return patternErr("segment %q must be lowercase", c)
	case !componentRE.MatchString(strings.ReplaceAll(c, "*", "a")):
		return patternErr("segment %q is not a valid name: use lowercase letters and digits, "+
			"separated by '.', '_' or '-', and '*' as a wildcard", c)
	}
	return nil
}

func checkTag(t string) error {
	switch {
	case t == "":
		return patternErr("empty tag after ':'; leave out the ':' to match any tag")
	case strings.Contains(t, "**"):
		return patternErr("tag %q: use a single '*'", t)
	case !tagRE.MatchString(strings.ReplaceAll(t, "*", "a")):
		return patternErr("tag %q is not valid: use up to 128 letters, digits, '_', '.' and '-', "+
			"not starting with '.' or '-', and '*' as a wildcard", t)
	}
	return nil
}

func patternErr(format string, args ...any) error {
	return airlock.FieldErrorf("image_pattern", format, args...)
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.raw }

// Match reports whether the pattern matches a normalised repository
// ("docker.io/library/redis") and tag.
func (p Pattern) Match(repository, tag string) bool {
	return glob(p.repo, repository) && (p.tag == "" || glob(p.tag, tag))
}

// glob matches a validated pattern, in which '*' is the only metacharacter;
// path.Match's '*' stops at '/', which keeps each '*' within a segment.
func glob(pattern, s string) bool {
	ok, _ := path.Match(pattern, s)
	return ok
}
