package imageref

import (
	"regexp"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/distribution/reference"
)

var (
	hostRegexp = regexp.MustCompile(`^` + reference.DomainRegexp.String() + `$`)

	// pathRegexp is the repository path grammar of the OCI distribution
	// spec: lowercase components joined by "/".
	pathRegexp = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
)

// FromParts builds a Ref from the admin API's fields, naming the field at
// fault in its errors. registry defaults to docker.io. name may carry its
// namespace ("portainer/portainer-ce") and, when neither registry nor
// namespace is given, its registry too ("ghcr.io/acme/x"), as docker pull
// reads it.
func FromParts(registry, namespace, name string) (Ref, error) {
	hostField := "registry"
	if registry == "" && namespace == "" {
		if host, rest, ok := strings.Cut(name, "/"); ok && isHost(host) {
			registry, name, hostField = host, rest, "image_name"
		}
	}
	if registry == "" {
		registry = DefaultRegistry
	}
	if err := checkHost(hostField, registry); err != nil {
		return Ref{}, err
	}
	if namespace != "" {
		if err := checkPath("namespace", namespace); err != nil {
			return Ref{}, err
		}
	}
	if err := checkPath("image_name", name); err != nil {
		return Ref{}, err
	}
	path, err := joinPath(namespace, name)
	if err != nil {
		return Ref{}, err
	}
	r, err := Parse(registry + "/" + path)
	if err != nil {
		return Ref{}, airlock.FieldErrorf("image_name", "%s", airlock.ErrorMessage(err))
	}
	return r, nil
}

// isHost tells a registry host from a path component as reference does:
// a host has a dot or a port, or is localhost.
func isHost(s string) bool {
	return s == "localhost" || strings.ContainsAny(s, ".:")
}

func checkHost(field, host string) error {
	switch {
	case strings.ToLower(host) != host:
		return airlock.FieldErrorf(field, "registry %q must be lowercase", host)
	case !hostRegexp.MatchString(host):
		return airlock.FieldErrorf(field, "registry %q is not a valid host[:port]", host)
	case !isHost(host):
		// docker pull would read it as a Docker Hub namespace.
		return airlock.FieldErrorf(field, "registry %q needs a dot or a port, or must be localhost", host)
	}
	return nil
}

func checkPath(field, path string) error {
	noun := strings.ReplaceAll(field, "_", " ") // the webhook reports these too
	switch {
	case path == "":
		return airlock.FieldErrorf(field, "%s is required", noun)
	case strings.ToLower(path) != path:
		return airlock.FieldErrorf(field, "%s %q must be lowercase", noun, path)
	case !pathRegexp.MatchString(path):
		return airlock.FieldErrorf(field, "%s %q is not a valid repository path: lowercase letters and digits, separated by '.', '_', '__' or '-', components joined by '/'", noun, path)
	}
	return nil
}

// joinPath puts namespace before name unless name already carries it.
func joinPath(namespace, name string) (string, error) {
	inner, _ := splitPath(name)
	switch {
	case namespace == "" || inner == namespace:
		return name, nil
	case inner == "":
		return namespace + "/" + name, nil
	}
	return "", airlock.FieldErrorf("namespace", "namespace %q conflicts with %q in image_name %q", namespace, inner, name)
}

// CanonicalHost is the one spelling of a registry host that images and
// pushes are recorded under: lowercased, as references normalise it
// (index.docker.io is docker.io), host[:port] and nothing else.
func CanonicalHost(field, s string) (string, error) {
	host := strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(host, "/") {
		return "", airlock.FieldErrorf(field, "registry %q must be a host[:port], without scheme or path", s)
	}
	if err := checkHost(field, host); err != nil {
		return "", err
	}
	r, err := Parse(host + "/x/x")
	if err != nil {
		return "", airlock.FieldErrorf(field, "registry %q is not a valid host[:port]", s)
	}
	return r.Registry, nil
}
