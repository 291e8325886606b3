// Package policies keeps the rollout policies: the knobs a push's rollout
// runs by, chosen by image pattern and tag constraint.
package policies

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Knobs are the rollout settings a policy holds and a manual rollout may
// give; nil fields are left as they are. The inputs list them flat rather
// than embed this type, so that a decoding error names the JSON field alone.
type Knobs struct {
	UpdateStrategy                                                *string
	BatchSize, BatchPercent, BatchDelaySeconds, BatchDelayMinutes *int
	CanarySize, HealthCheckTimeoutSeconds                         *int
	FailureThresholdPercent, MinDevicesForThreshold               *int
	AutoRollback                                                  *bool
	DeviceFilter                                                  *airlock.DeviceSelector
}

// Input creates or changes a policy; nil fields are left as they are
// (on create: at their defaults).
type Input struct {
	ImagePattern              *string                 `json:"image_pattern"`
	TagConstraint             *string                 `json:"tag_constraint"`
	Enabled                   *bool                   `json:"enabled"`
	Description               *string                 `json:"description"`
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
	RequireAllPlatforms       *bool                   `json:"require_all_platforms"`
	AllowDowngrade            *bool                   `json:"allow_downgrade"`
	Mirror                    *bool                   `json:"mirror"`

	HealthGraceSeconds  *int                         `json:"health_grace_seconds"`
	BakeSeconds         *int                         `json:"bake_seconds"`
	MaxRetries          *int                         `json:"max_retries"`
	RetryBackoffSeconds *int                         `json:"retry_backoff_seconds"`
	DeferTimeoutSeconds *int                         `json:"defer_timeout_seconds"`
	MaintenanceWindows  *[]airlock.MaintenanceWindow `json:"maintenance_windows"`
	MaxDevicesPerMinute *int                         `json:"max_devices_per_minute"`
	Ramp                *airlock.Ramp                `json:"ramp"`
	IncludeNewDevices   *bool                        `json:"include_new_devices"`
}

// applyTiming sets the given judgement and timing knobs on t.
func (in Input) applyTiming(t *airlock.Timing) {
	setIf(&t.HealthGraceSeconds, in.HealthGraceSeconds)
	setIf(&t.BakeSeconds, in.BakeSeconds)
	setIf(&t.MaxRetries, in.MaxRetries)
	setIf(&t.RetryBackoffSeconds, in.RetryBackoffSeconds)
	setIf(&t.DeferTimeoutSeconds, in.DeferTimeoutSeconds)
	setIf(&t.MaintenanceWindows, in.MaintenanceWindows)
	setIf(&t.MaxDevicesPerMinute, in.MaxDevicesPerMinute)
	setIf(&t.Ramp, in.Ramp)
	setIf(&t.IncludeNewDevices, in.IncludeNewDevices)
}

func (in Input) apply(p *airlock.Policy) {
	in.applyTiming(&p.Timing)
	setIf(&p.ImagePattern, in.ImagePattern)
	setIf(&p.TagConstraint, in.TagConstraint)
	setIf(&p.Enabled, in.Enabled)
	setIf(&p.Description, in.Description)
	setIf(&p.RequireAllPlatforms, in.RequireAllPlatforms)
	setIf(&p.AllowDowngrade, in.AllowDowngrade)
	setIf(&p.Mirror, in.Mirror)
	Knobs{in.UpdateStrategy, in.BatchSize, in.BatchPercent, in.BatchDelaySeconds, in.BatchDelayMinutes, in.CanarySize,
		in.HealthCheckTimeoutSeconds, in.FailureThresholdPercent, in.MinDevicesForThreshold, in.AutoRollback,
		in.DeviceFilter}.Apply(p)
}

// Apply sets the given knobs on p. A batch delay given in one unit clears
// the other, so that changing it never disagrees with the old value; the
// same goes for batch_size and batch_percent.
func (k Knobs) Apply(p *airlock.Policy) {
	if k.BatchDelaySeconds != nil || k.BatchDelayMinutes != nil {
		p.BatchDelaySeconds, p.BatchDelayMinutes = 0, 0
	}
	if k.BatchSize != nil || k.BatchPercent != nil {
		p.BatchSize, p.BatchPercent = 0, 0
	}
	setIf(&p.UpdateStrategy, k.UpdateStrategy)
	setIf(&p.BatchSize, k.BatchSize)
	setIf(&p.BatchPercent, k.BatchPercent)
	setIf(&p.BatchDelaySeconds, k.BatchDelaySeconds)
	setIf(&p.BatchDelayMinutes, k.BatchDelayMinutes)
	setIf(&p.CanarySize, k.CanarySize)
	setIf(&p.HealthCheckTimeoutSeconds, k.HealthCheckTimeoutSeconds)
	setIf(&p.FailureThresholdPercent, k.FailureThresholdPercent)
	setIf(&p.MinDevicesForThreshold, k.MinDevicesForThreshold)
	setIf(&p.AutoRollback, k.AutoRollback)
	setIf(&p.DeviceFilter, k.DeviceFilter)
}

// New is a policy with the defaults a client can not tell from
// false: enabled, rolling back on failure, including new devices, mirrored.
func New() airlock.Policy {
	return airlock.Policy{Enabled: true, AutoRollback: true, Mirror: true, Timing: airlock.Timing{IncludeNewDevices: true}}
}

// Policies are the policy use cases over one database.
type Policies struct{ DB *store.DB }

// Create validates and stores a policy.
func (s Policies) Create(ctx context.Context, actor string, in Input) (airlock.Policy, error) {
	p := New()
	in.apply(&p)
	if err := policy.Validate(&p); err != nil {
		return p, err
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		p, err = rolloutdb.CreatePolicy(ctx, tx, p)
		return err
	})
	return p, err
}

// Update applies in to policy id and validates the result.
func (s Policies) Update(ctx context.Context, actor string, id int64, in Input) (airlock.Policy, error) {
	var p airlock.Policy
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if p, err = rolloutdb.PolicyForUpdate(ctx, tx, id); err != nil {
			return err
		}
		in.apply(&p)
		if err := policy.Validate(&p); err != nil {
			return err
		}
		p, err = rolloutdb.UpdatePolicy(ctx, tx, p)
		return err
	})
	return p, err
}

// Delete removes a policy. Its rollouts are kept and run on: they
// copied its knobs when they were created.
func (s Policies) Delete(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return rolloutdb.DeletePolicy(ctx, tx, id) })
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
