package webhook

import (
	"strings"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// newRef builds the pushed image from the parts a sender names apart. The
// host is lowercased, being case-insensitive, so one registry has one name.
func newRef(host, path, tag, digest string) (imageref.Ref, error) {
	if host == "" {
		return imageref.Ref{}, fail("no registry host for %q", path)
	}
	r, err := imageref.FromParts(strings.ToLower(host), "", path)
	if err != nil {
		return imageref.Ref{}, err
	}
	if err := imageref.ValidTag(tag); err != nil {
		return imageref.Ref{}, err
	}
	if digest != "" {
		if err := imageref.ValidDigest(digest); err != nil {
			return imageref.Ref{}, err
		}
	}
	r.Tag, r.Digest = tag, digest
	return r, nil
}
