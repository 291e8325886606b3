package service

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/audit"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
	"github.com/airlock-iot/airlock/internal/store/tokens"
)

// The reads below are the store's, passed through so that the API reaches
// data only through the service.

// Now is the database's clock.
func (s *Service) Now() time.Time { return s.DB.Now() }

// SchemaCurrent reports an error unless the database answers and its schema is this build's.
func (s *Service) SchemaCurrent(ctx context.Context) error { return s.DB.SchemaCurrent(ctx) }

// Events returns a page of the audit trail.
func (s *Service) Events(ctx context.Context, f airlock.EventFilter) (airlock.Page[airlock.Event], error) {
	return audit.List(ctx, s.DB, f)
}

// Follow reads the audit trail after event id after, in id order.
func (s *Service) Follow(after int64) airlock.EventFollower { return s.DB.Follow(after) }

// Image returns the image id.
func (s *Service) Image(ctx context.Context, id int64) (airlock.Image, error) {
	return catalog.Image(ctx, s.DB, id)
}

// Images returns a page of the catalogue and the number of images f matches.
func (s *Service) Images(ctx context.Context, f airlock.ImageFilter) ([]airlock.Image, int, error) {
	return catalog.Images(ctx, s.DB, f)
}

// Categories returns the catalogue's categories.
func (s *Service) Categories(ctx context.Context) ([]airlock.Category, error) {
	return catalog.Categories(ctx, s.DB)
}

// Policy returns the rollout policy id.
func (s *Service) Policy(ctx context.Context, id int64) (airlock.Policy, error) {
	return rolloutdb.Policy(ctx, s.DB, id)
}

// Policies returns a page of rollout policies (only enabled or disabled ones when enabled is set).
func (s *Service) Policies(ctx context.Context, enabled *bool, limit, offset int) ([]airlock.Policy, int, error) {
	return rolloutdb.Policies(ctx, s.DB, enabled, limit, offset)
}

// TargetState returns what device uuid should run.
func (s *Service) TargetState(ctx context.Context, uuid string) (airlock.TargetState, error) {
	return fleet.TargetState(ctx, s.DB, uuid)
}

// Tokens lists the API tokens (without their secrets).
func (s *Service) Tokens(ctx context.Context) ([]airlock.Token, error) {
	return tokens.Tokens(ctx, s.DB)
}

// TokenBySecret returns the live token whose secret this is.
func (s *Service) TokenBySecret(ctx context.Context, secret string) (airlock.Token, error) {
	return tokens.TokenBySecret(ctx, s.DB, secret)
}

// TouchToken records that token id was used at.
func (s *Service) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return tokens.TouchToken(ctx, s.DB, id, at)
}
