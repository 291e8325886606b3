package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/registries"
)

// RegistryInput declares a registry; see registries.Input.
type RegistryInput = registries.Input

// RegistryUpdate changes a registry; see registries.Update.
type RegistryUpdate = registries.Update

func (s *Service) registries() registries.Registries {
	return registries.Registries{DB: s.DB, NewSecret: NewSecret}
}

// CreateRegistry declares a registry; see registries.Registries.Create.
func (s *Service) CreateRegistry(ctx context.Context, actor, base string, in RegistryInput) (airlock.Registry, error) {
	r, err := s.registries().Create(ctx, actor, base, in)
	return r, s.synced(ctx, err)
}

// synced brings the registry clients up to date after a change: on this
// replica at once, on the others at the resolver's next round.
func (s *Service) synced(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := s.SyncRegistries(ctx); err != nil {
		s.Log.WarnContext(ctx, "registry clients not brought up to date", "err", err)
	}
	return nil
}

// UpdateRegistry applies in to registry id.
func (s *Service) UpdateRegistry(ctx context.Context, actor string, id int64, in RegistryUpdate) (airlock.Registry, error) {
	r, err := s.registries().Update(ctx, actor, id, in)
	return r, s.synced(ctx, err)
}

// RotateRegistrySecret gives a registry a new webhook secret.
func (s *Service) RotateRegistrySecret(ctx context.Context, actor, base string, id int64) (airlock.Registry, error) {
	return s.registries().RotateSecret(ctx, actor, base, id)
}

// DeleteRegistry removes a registry declaration.
func (s *Service) DeleteRegistry(ctx context.Context, actor string, id int64) error {
	return s.synced(ctx, s.registries().Delete(ctx, actor, id))
}

// Registries lists the declared registries.
func (s *Service) Registries(ctx context.Context) ([]airlock.Registry, error) {
	return s.registries().List(ctx)
}

// Registry returns one declared registry.
func (s *Service) Registry(ctx context.Context, id int64) (airlock.Registry, error) {
	return s.registries().Get(ctx, id)
}
