// Package releases turns pushes into releases and releases into rollouts:
// it records each allowed push as a release, resolves what it holds (tag to
// digest, platforms) outside any transaction, and decides, in one place
// (Reconsider), whether a stored release rolls out.
package releases

import (
	"context"
	"log/slog"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
)

// DefaultResolveWait bounds the resolution a webhook delivery waits for.
const DefaultResolveWait = 3 * time.Second

// Releases is the release use cases over one database.
type Releases struct {
	DB      *store.DB
	Log     *slog.Logger
	Clients *Clients
	Engine  rollouts.Engine
	// ResolveUndeclared allows best-effort resolution on registries nobody
	// declared (Docker Hub's flow); when off, their pushes roll out by tag.
	ResolveUndeclared bool
	// ResolveWait bounds the resolution on the webhook path; DefaultResolveWait when zero.
	ResolveWait time.Duration
	// Gate re-runs the approval gate for a stored release (Reconsider).
	Gate func(ctx context.Context, tx *store.Tx, ref imageref.Ref) (gate.Decision, error)
	// Rules is the hook where the supply-chain rules' verdict on a ready
	// release is consulted before it rolls out; nil, or a nil Outcome, allows.
	Rules func(ctx context.Context, tx *store.Tx, r release.Release) (*rules.Outcome, error)
	// Cost, if set, checks a rollout's downloads and cost against policy
	// policyID's limits before it is created; a reason holds the release
	// (release.HoldCost) for an approver.
	Cost func(ctx context.Context, tx *store.Tx, r release.Release, policyID int64, devices []CostDevice) (reason string, err error)
	// OnMirrored, when set, is told the bytes each copy sent to the mirror (a metric).
	OnMirrored func(bytes int64)
}

// CostDevice is a device a rollout would update: its platform, labels and
// the image it runs now, whose layers it need not download again.
type CostDevice struct {
	UUID, Platform, Previous string
	Labels                   map[string]string
}

// Outcome is what became of a release.
type Outcome struct {
	Release release.Release  `json:"release"`
	Rollout *airlock.Rollout `json:"rollout"`          // the rollout taking it to devices, if any
	Reason  string           `json:"reason,omitempty"` // why there is no new rollout; "" when one started
}

// Pending reports whether the release waits for its registry.
func (o Outcome) Pending() bool { return o.Release.Status == release.StatusResolving }

// Decision is what was decided about a release, stored with it.
type Decision struct {
	Action    release.Action       `json:"action,omitempty"`
	Gate      string               `json:"gate,omitempty"`
	Rules     *rules.Outcome       `json:"rules,omitempty"`
	PolicyID  *int64               `json:"policy_id,omitempty"`
	Direction *release.Direction   `json:"direction,omitempty"`
	Platforms *release.Eligibility `json:"platforms,omitempty"`
	RolloutID *int64               `json:"rollout_id,omitempty"`
	Reason    string               `json:"reason,omitempty"`
	DecidedAt time.Time            `json:"decided_at"`
}

func (s Releases) resolveWait() time.Duration {
	if s.ResolveWait > 0 {
		return s.ResolveWait
	}
	return DefaultResolveWait
}
