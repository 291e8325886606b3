package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/policies"
)

// PolicyInput creates or changes a policy; see policies.Input.
type PolicyInput = policies.Input

func (s *Service) policies() policies.Policies { return policies.Policies{DB: s.DB} }

// CreatePolicy validates and stores a policy.
func (s *Service) CreatePolicy(ctx context.Context, actor string, in PolicyInput) (airlock.Policy, error) {
	return s.policies().Create(ctx, actor, in)
}

// UpdatePolicy applies in to policy id and validates the result.
func (s *Service) UpdatePolicy(ctx context.Context, actor string, id int64, in PolicyInput) (airlock.Policy, error) {
	return s.policies().Update(ctx, actor, id, in)
}

// DeletePolicy removes a policy; its rollouts are kept and run on.
func (s *Service) DeletePolicy(ctx context.Context, actor string, id int64) error {
	return s.policies().Delete(ctx, actor, id)
}
