package release

import (
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/policy"
)

// DefaultHeadsPerPoll bounds the tags one poll of one image HEADs when
// the caller gives no bound.
const DefaultHeadsPerPoll = 20

// KnownTag is a tag that already has releases.
type KnownTag struct {
	Tag    string
	SeenAt time.Time // when its latest release was recorded, from any source
}

// Poll is what the poller knows before it HEADs anything for one approved
// image.
type Poll struct {
	Repository string          // normalised, "ghcr.io/acme/agent"
	Tags       []string        // the registry's tag list
	Policies   []policy.Policy // disabled ones and unmet tag constraints rule a tag out
	Known      []KnownTag
	Since      time.Time // the previous poll; zero for the first
	Limit      int       // HEADs for this poll; ≤ 0 means DefaultHeadsPerPoll
}

// Plan is which tags to HEAD this poll.
type Plan struct {
	Head      []string `json:"head"`      // newest first
	Matching  int      `json:"matching"`  // tags an enabled policy would roll out
	Delivered int      `json:"delivered"` // left out: a release of it was recorded since the last poll
	Deferred  int      `json:"deferred"`  // left for a later poll by the bound
}

// SelectTags chooses the tags to HEAD: those an enabled policy would roll
// out (policy.Set.Select), less those whose release was recorded since the
// previous poll (a webhook delivered them; what the HEADs find goes
// through Intake, which drops digests already released, so a tag is never
// released twice either way). Tags with no release yet come first, newest
// first (SortTags); known tags, HEADed to see whether they were re-pushed,
// keep at least half the bound when there are that many, so a long
// backlog of new tags cannot hide a re-pushed "latest". Whatever either
// group leaves unused goes to the other.
func SelectTags(p Poll) Plan {
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultHeadsPerPoll
	}
	set, _ := policy.Compile(p.Policies) // a policy that does not parse cannot select a tag
	seen := make(map[string]time.Time, len(p.Known))
	for _, k := range p.Known {
		if at, ok := seen[k.Tag]; !ok || k.SeenAt.After(at) {
			seen[k.Tag] = k.SeenAt
		}
	}
	var plan Plan
	var fresh, stale []string
	done := map[string]bool{}
	for _, tag := range p.Tags {
		if done[tag] || imageref.ValidTag(tag) != nil {
			continue
		}
		done[tag] = true
		if _, ok, _ := set.Select(p.Repository, tag); !ok {
			continue
		}
		plan.Matching++
		at, known := seen[tag]
		switch {
		case !known:
			fresh = append(fresh, tag)
		case !p.Since.IsZero() && at.After(p.Since):
			plan.Delivered++
		default:
			stale = append(stale, tag)
		}
	}
	nStale := min(len(stale), limit/2)
	nFresh := min(len(fresh), limit-nStale)
	nStale = min(len(stale), limit-nFresh)
	head := append(SortTags(fresh)[:nFresh], SortTags(stale)[:nStale]...)
	plan.Head = SortTags(head)
	plan.Deferred = len(fresh) + len(stale) - len(head)
	return plan
}
