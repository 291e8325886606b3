package service

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/service/rollouts"
)

// planInterval is how often the planner looks for planning or unsettled
// rollouts that no commit kicked it for: those a crash or a failed chunk left.
const planInterval = 2 * time.Second

func (s *Service) planner() rollouts.Planner { return rollouts.Planner{DB: s.DB, Engine: s.engine()} }

// StartPlanner plans, off the request path, the rollouts too large to plan
// in the request that created them, and settles those too large to settle
// in the request that superseded them, until ctx ends or stop is called.
func (s *Service) StartPlanner(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.planner().Run(ctx, planInterval, s.Log)
	}()
	return func() {
		cancel()
		<-done
	}
}

// PlanRollouts settles every superseded rollout left unsettled and plans
// every planning rollout to the end, now.
func (s *Service) PlanRollouts(ctx context.Context) error { return s.planner().PlanAll(ctx) }
