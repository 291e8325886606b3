package service

import (
	"context"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/policies"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// RolloutInput asks for a rollout of Image (with a tag) by hand: with the
// knobs and device filter of policy PolicyID when given, else the defaults,
// and any knob given here on top.
type RolloutInput struct {
	Image                     string                  `json:"image"`
	PolicyID                  *int64                  `json:"policy_id"`
	UpdateStrategy            *string                 `json:"update_strategy"`
	BatchSize                 *int                    `json:"batch_size"`
	BatchPercent              *int                    `json:"batch_percent"`
	BatchDelaySeconds         *int                    `json:"batch_delay_seconds"`
	BatchDelayMinutes         *int                    `json:"batch_delay_minutes"`
	CanarySize                *int                    `json:"canary_size"`
	HealthCheckTimeoutSeconds *int                    `json:"health_check_timeout_seconds"`
	FailureThresholdPercent   *int                    `json:"failure_threshold_percent"`
	MinDevicesForThreshold    *int                    `json:"min_devices_for_threshold"`
	AutoRollback              *bool                   `json:"auto_rollback"`
	DeviceFilter              *airlock.DeviceSelector `json:"device_filter"`
	StartAt                   *time.Time              `json:"start_at"` // no device starts before
	EndAt                     *time.Time              `json:"end_at"`   // nor after
}

// CreateRollout creates a rollout by hand. The image passes the gate as a
// push would, with no override. It follows its strategy like one made by a
// push: manual waits for start, the others start at once. The same image,
// tag and digest rolled out before is a conflict.
func (s *Service) CreateRollout(ctx context.Context, actor string, in RolloutInput) (airlock.Rollout, error) {
	ref, err := imageref.Parse(in.Image)
	if err != nil {
		return airlock.Rollout{}, err
	}
	if ref.Tag == "" {
		return airlock.Rollout{}, airlock.FieldErrorf("image", "must name a tag, e.g. redis:7.5-alpine")
	}
	p, err := s.rolloutKnobs(ctx, ref, in)
	if err != nil {
		return airlock.Rollout{}, err
	}
	var id int64
	ctx = s.judge().PrejudgeRefs(ctx, ref)
	err = s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		dec, err := s.gateManual(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !dec.Allowed {
			return dec.Err
		}
		e := s.engine()
		e.StartAt, e.EndAt = in.StartAt, in.EndAt
		r, reason, err := e.Create(ctx, tx, ref, p, in.PolicyID, "manual/"+actor)
		switch {
		case err != nil:
			return err
		case r == nil:
			return airlock.Errorf(airlock.EINVALID, "%s", reason)
		case reason != "":
			e := airlock.Errorf(airlock.ECONFLICT, "%s", reason)
			e.Extra = map[string]any{"rollout_id": r.ID}
			return e
		}
		id = r.ID
		return nil
	})
	if err != nil {
		return airlock.Rollout{}, err
	}
	return s.Rollout(ctx, id)
}

// rolloutKnobs are the policy a manual rollout runs by.
func (s *Service) rolloutKnobs(ctx context.Context, ref imageref.Ref, in RolloutInput) (airlock.Policy, error) {
	p := policies.New()
	if in.PolicyID != nil {
		var err error
		if p, err = rolloutdb.Policy(ctx, s.DB, *in.PolicyID); airlock.ErrorCode(err) == airlock.ENOTFOUND {
			return p, airlock.FieldErrorf("policy_id", "policy %d not found", *in.PolicyID)
		} else if err != nil {
			return p, err
		}
	}
	policies.Knobs{UpdateStrategy: in.UpdateStrategy, BatchSize: in.BatchSize, BatchPercent: in.BatchPercent,
		BatchDelaySeconds: in.BatchDelaySeconds, BatchDelayMinutes: in.BatchDelayMinutes, CanarySize: in.CanarySize,
		HealthCheckTimeoutSeconds: in.HealthCheckTimeoutSeconds, FailureThresholdPercent: in.FailureThresholdPercent,
		MinDevicesForThreshold: in.MinDevicesForThreshold, AutoRollback: in.AutoRollback,
		DeviceFilter: in.DeviceFilter}.Apply(&p)
	p.ImagePattern, p.TagConstraint = ref.Repository(), ""
	return p, policy.Validate(&p)
}

// Rollout control actions, as POST /rollouts/{id}/{action} names them.
var controlActions = []string{rollout.ActionStart, rollout.ActionPause, rollout.ActionResume, rollout.ActionCancel, rollout.ActionRollback}

// ControlRollout applies an admin's action to rollout id in one
// transaction: start, pause, resume, cancel or rollback. An action the
// rollout's status does not allow is a conflict.
func (s *Service) ControlRollout(ctx context.Context, actor string, id int64, action, reason string) (airlock.Rollout, error) {
	if !slices.Contains(controlActions, action) {
		return airlock.Rollout{}, airlock.FieldErrorf("action", "must be start, pause, resume, cancel or rollback")
	}
	if len(reason) > 1000 {
		return airlock.Rollout{}, airlock.FieldErrorf("reason", "must be at most 1000 characters")
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		to, err := rollout.Transition(r.Status, action)
		if err != nil {
			return err
		}
		switch action {
		case rollout.ActionStart:
			_, err = s.engine().Start(ctx, tx, r, reason, nil)
		case rollout.ActionPause, rollout.ActionResume:
			err = s.engine().SetStatus(ctx, tx, r, to, reason)
		default:
			_, err = s.engine().Finish(ctx, tx, r, action, reason)
		}
		return err
	})
	if err != nil {
		return airlock.Rollout{}, err
	}
	return s.Rollout(ctx, id)
}

// Rollout returns a rollout with its device counts by status.
func (s *Service) Rollout(ctx context.Context, id int64) (airlock.Rollout, error) {
	return rollouts.Queries{DB: s.DB}.Rollout(ctx, id)
}

// Rollouts lists rollouts, newest first.
func (s *Service) Rollouts(ctx context.Context, f airlock.RolloutFilter) (airlock.Page[airlock.Rollout], error) {
	return rollouts.Queries{DB: s.DB}.Rollouts(ctx, f)
}

// RolloutDevices lists the devices of rollout id.
func (s *Service) RolloutDevices(ctx context.Context, id int64, f airlock.RolloutDeviceFilter) (airlock.Page[airlock.RolloutDevice], error) {
	return rollouts.Queries{DB: s.DB}.RolloutDevices(ctx, id, f)
}
