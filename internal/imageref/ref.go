// Package imageref normalises container image references, so that "redis",
// "library/redis" and "docker.io/library/redis" name the same image, and
// tells internal images from public ones.
package imageref

import (
	// The digest package validates only algorithms whose hash is linked in.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"regexp"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// DefaultRegistry is the registry of names that give none: Docker Hub.
const DefaultRegistry = "docker.io"

// Ref is a normalised image reference. Namespace holds every path component
// but the last, which is Name; it is "library" for Docker Hub's official
// images and "" for single-component names on other registries.
type Ref struct {
	Registry  string
	Namespace string
	Name      string
	Tag       string
	Digest    string
}

// Parse normalises a full reference with an optional ":tag" and "@digest",
// as docker pull reads it. Its errors are EINVALID on the field "image".
func Parse(s string) (Ref, error) {
	if s == "" {
		return Ref{}, airlock.FieldErrorf("image", "image reference is empty")
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Ref{}, airlock.FieldErrorf("image", "invalid image reference %q: %v", s, err)
	}
	r := Ref{Registry: reference.Domain(named)}
	if r.Registry == "" {
		// "a_b.c/x": the first component looks like a host to the
		// normaliser but is not one, so reference leaves it in the path.
		return Ref{}, airlock.FieldErrorf("image", "invalid image reference %q: %q is neither a registry host nor a namespace",
			s, strings.SplitN(s, "/", 2)[0])
	}
	if strings.ToLower(r.Registry) != r.Registry {
		// reference takes an uppercase first component for a host; hosts
		// are case-insensitive, so one spelling keeps identities unique.
		return Ref{}, airlock.FieldErrorf("image", "invalid image reference %q: registry %q must be lowercase", s, r.Registry)
	}
	r.Namespace, r.Name = splitPath(reference.Path(named))
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	return r, nil
}

// splitPath cuts a repository path before its last component.
func splitPath(path string) (namespace, name string) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// Repository is the normalised name without tag or digest,
// e.g. "docker.io/library/redis".
func (r Ref) Repository() string {
	if r.Namespace == "" {
		return r.Registry + "/" + r.Name
	}
	return r.Registry + "/" + r.Namespace + "/" + r.Name
}

// String is the normalised reference: the repository, then ":tag" and
// "@digest" when set.
func (r Ref) String() string {
	s := r.Repository()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// Familiar is the short name people use and messages show, as
// reference.FamiliarName gives it: "redis", "portainer/portainer-ce",
// "ghcr.io/acme/x".
func (r Ref) Familiar() string {
	if r.Registry != DefaultRegistry {
		return r.Repository()
	}
	if r.Namespace == "library" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// WithTag returns r with the given tag. It drops the digest, which pinned
// the manifest of the old tag and would otherwise win over the new one.
func (r Ref) WithTag(tag string) Ref {
	r.Tag, r.Digest = tag, ""
	return r
}

var tagRegexp = regexp.MustCompile(`^` + reference.TagRegexp.String() + `$`)

// ValidTag reports whether tag follows the OCI tag grammar.
func ValidTag(tag string) error {
	if !tagRegexp.MatchString(tag) {
		return airlock.FieldErrorf("tag", "invalid tag %q: want up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'", tag)
	}
	return nil
}

// ValidDigest reports whether d is a digest that references accept,
// e.g. "sha256:" and 64 lowercase hex digits.
func ValidDigest(d string) error {
	if _, err := digest.Parse(d); err != nil {
		return airlock.FieldErrorf("digest", "invalid digest %q: %v", d, err)
	}
	return nil
}
