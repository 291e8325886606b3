package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
)

// rolloutForPush is called inside the intake transaction for a push the gate
// allowed. It creates and starts the rollout the push calls for and returns
// it, or returns nil and the reason there is none.
func (s *Service) rolloutForPush(ctx context.Context, tx *store.Tx, ref imageref.Ref) (any, string, error) {
	return nil, "rollout engine not wired yet", nil
}
