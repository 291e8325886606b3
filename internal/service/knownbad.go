package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// Cleared answers the clearing of a release's known-bad hold: whether
// anything was held and, when deployment was asked for, what followed.
type Cleared struct {
	Release  Release           `json:"release"`
	WasHeld  bool              `json:"was_held"`
	Deployed *releases.Outcome `json:"deployed,omitempty"`
}

// ClearInput is the body of a clear: whether to deploy the release again.
type ClearInput struct {
	Deploy bool `json:"deploy"`
}

// ClearRelease lifts the known-bad hold on release id's content (its
// digest, or image:tag when unpinned). With deploy, the release is then
// considered again, through the gate, and rolled out by its policy.
func (s *Service) ClearRelease(ctx context.Context, actor string, id int64, deploy bool) (Cleared, error) {
	rec, err := releasedb.Get(ctx, s.DB, id)
	if err != nil {
		return Cleared{}, err
	}
	ref := rec.Release.Ref()
	out := Cleared{Release: rec}
	if out.WasHeld, err = s.knownBad().ClearContent(ctx, actor, rollouts.KnownBadKey(ref.Digest, ref.String())); err != nil {
		return out, err
	}
	if err := s.releases().Clear(ctx, actor, id); err != nil || !deploy {
		out.Release, _ = releasedb.Get(ctx, s.DB, id)
		return out, err
	}
	o, err := s.Reconsider(ctx, actor, id)
	if err != nil {
		return out, err
	}
	out.Deployed = &o
	out.Release, err = releasedb.Get(ctx, s.DB, id)
	return out, err
}

// KnownBad lists the known-bad holds.
func (s *Service) KnownBad(ctx context.Context) ([]airlock.KnownBad, error) {
	return s.knownBad().List(ctx)
}

// ClearKnownBad lifts one known-bad hold by its id.
func (s *Service) ClearKnownBad(ctx context.Context, actor string, id int64) (airlock.KnownBad, error) {
	return s.knownBad().Clear(ctx, actor, id)
}

func (s *Service) knownBad() rollouts.KnownBad { return rollouts.KnownBad{DB: s.DB} }
