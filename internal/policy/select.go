package policy

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"
)

// Reason says why no policy was selected.
type Reason string

const (
	Selected        Reason = ""
	NoMatch         Reason = "no matching policy"
	Disabled        Reason = "matching policy is disabled"
	ConstraintUnmet Reason = "tag does not satisfy the matching policy's tag_constraint"
)

// Set is a list of policies parsed once and ranked, for the webhook's hot path.
type Set struct {
	rules []rule // most specific first, then lowest id
}

type rule struct {
	policy     Policy
	pattern    Pattern
	constraint *semver.Constraints
	rank       Specificity
}

// Compile parses and ranks policies. A policy that fails to parse is left
// out and reported in err, so that one bad row cannot stop every webhook:
// the Set is usable even when err is not nil.
func Compile(policies []Policy) (*Set, error) {
	s := &Set{rules: make([]rule, 0, len(policies))}
	var errs []error
	for _, p := range policies {
		r, err := compile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("policy %d: %w", p.ID, err))
			continue
		}
		s.rules = append(s.rules, r)
	}
	slices.SortFunc(s.rules, func(a, b rule) int {
		return cmp.Or(
			b.rank.Compare(a.rank),
			cmp.Compare(a.policy.ID, b.policy.ID),
		)
	})
	return s, errors.Join(errs...)
}

func compile(p Policy) (rule, error) {
	pat, err := ParsePattern(p.ImagePattern)
	if err != nil {
		return rule{}, err
	}
	c, err := parseConstraint(p.TagConstraint)
	if err != nil {
		return rule{}, err
	}
	return rule{policy: p, pattern: pat, constraint: c, rank: pat.Specificity()}, nil
}

// Select returns the most specific enabled policy whose pattern matches the
// normalised repository and tag and whose tag_constraint holds. When there
// is none, the reason is Disabled if a disabled policy would have applied,
// else ConstraintUnmet if an enabled policy's pattern matched, else NoMatch;
// the policy returned then is the one the reason names (zero for NoMatch),
// so that callers can say which.
func (s *Set) Select(repository, tag string) (Policy, bool, Reason) {
	reason, why := NoMatch, Policy{}
	for _, r := range s.rules {
		if !r.pattern.Match(repository, tag) {
			continue
		}
		switch ok := satisfies(r.constraint, tag); {
		case ok && r.policy.Enabled:
			return r.policy, true, Selected
		case ok && reason != Disabled:
			reason, why = Disabled, r.policy
		case !ok && r.policy.Enabled && reason == NoMatch:
			reason, why = ConstraintUnmet, r.policy
		}
	}
	return why, false, reason
}

// Select compiles policies and selects among them; invalid ones are skipped.
func Select(policies []Policy, repository, tag string) (Policy, bool, Reason) {
	s, _ := Compile(policies)
	return s.Select(repository, tag)
}
