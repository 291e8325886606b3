package release

import (
	"cmp"
	"slices"

	"github.com/Masterminds/semver/v3"
)

// version reads a tag as a semantic version the way Docker tags are
// written ("v7", "7.5", "7.5-alpine" is 7.5.0 with pre-release "alpine"),
// or nil when it is none ("latest", "sha-1a2b3c").
func version(tag string) *semver.Version {
	v, err := semver.NewVersion(tag)
	if err != nil {
		return nil
	}
	return v
}

type ordered struct {
	tag string
	v   *semver.Version
}

// SortTags returns tags newest first: tags that read as versions by
// descending version (pre-releases by semver's rules), then the others in
// descending byte order. Equal versions written differently ("7.5" and
// "7.5.0") fall back to descending byte order, so the order is total and
// does not depend on the input's.
func SortTags(tags []string) []string {
	list := make([]ordered, len(tags))
	for i, t := range tags {
		list[i] = ordered{t, version(t)}
	}
	slices.SortFunc(list, func(a, b ordered) int {
		switch {
		case a.v != nil && b.v != nil:
			if c := b.v.Compare(a.v); c != 0 {
				return c
			}
		case a.v != nil:
			return -1
		case b.v != nil:
			return 1
		}
		return cmp.Compare(b.tag, a.tag)
	})
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.tag
	}
	return out
}
