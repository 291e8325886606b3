package policy

import (
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const maxConstraintLen = 256

// parseConstraint parses a tag_constraint, a semver range such as
// ">= 7, < 8" or "~1.25". The empty constraint is nil and admits every tag.
func parseConstraint(s string) (*semver.Constraints, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > maxConstraintLen {
		return nil, airlock.FieldErrorf("tag_constraint", "must be at most %d characters", maxConstraintLen)
	}
	c, err := semver.NewConstraint(s)
	if err != nil {
		return nil, airlock.FieldErrorf("tag_constraint", "not a semver range: %v", err)
	}
	return c, nil
}

// satisfies reports whether tag meets c. Docker tags put variants after a
// '-' ("7.5-alpine", "1.25-bookworm"), so the version is the part before
// the first '-' and the rest is ignored: 7.5-alpine reads as 7.5.0, and a
// pre-release such as 1.0.0-rc1 reads as 1.0.0. A leading 'v' and missing
// minor or patch numbers are accepted ("v7", "7.5"). A tag that is no
// version ("latest") satisfies no constraint.
func satisfies(c *semver.Constraints, tag string) bool {
	if c == nil {
		return true
	}
	core, _, _ := strings.Cut(tag, "-")
	v, err := semver.NewVersion(core)
	return err == nil && c.Check(v)
}
