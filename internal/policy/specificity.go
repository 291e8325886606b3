package policy

import (
	"cmp"
	"strings"
)

// Specificity ranks patterns that match the same image. Fields compare in
// order, higher is more specific:
//
//  1. a literal repository beats a globbed one ("redis" beats "library/*");
//  2. among globbed repositories, the longer literal prefix before the first
//     '*' wins ("iotistic/agent-*" beats "iotistic/*");
//  3. a literal tag beats a tag glob, which beats no tag
//     ("redis:7-alpine" beats "redis:7*" beats "redis");
//  4. among tag globs, the longer literal prefix wins ("redis:7.5*" beats "redis:7*").
//
// The repository ranks first because it says which software runs; the tag
// only which version. Select breaks remaining ties by lowest policy id.
type Specificity struct {
	LiteralRepository bool
	RepositoryPrefix  int
	Tag               int // 2 literal, 1 glob, 0 none
	TagPrefix         int
}

// Specificity returns the pattern's rank.
func (p Pattern) Specificity() Specificity {
	s := Specificity{
		LiteralRepository: !strings.Contains(p.repo, "*"),
		RepositoryPrefix:  literalPrefix(p.repo),
		TagPrefix:         literalPrefix(p.tag),
	}
	switch {
	case p.tag == "":
	case strings.Contains(p.tag, "*"):
		s.Tag = 1
	default:
		s.Tag = 2
	}
	return s
}

// Compare returns -1, 0 or +1 as s is less, as or more specific than t.
func (s Specificity) Compare(t Specificity) int {
	return cmp.Or(
		cmp.Compare(boolInt(s.LiteralRepository), boolInt(t.LiteralRepository)),
		cmp.Compare(s.RepositoryPrefix, t.RepositoryPrefix),
		cmp.Compare(s.Tag, t.Tag),
		cmp.Compare(s.TagPrefix, t.TagPrefix),
	)
}

func literalPrefix(s string) int {
	if i := strings.IndexByte(s, '*'); i >= 0 {
		return i
	}
	return len(s)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
