package policy

import (
	"cmp"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
)

// Policy is an image_update_policy; see airlock.Policy.
type Policy = airlock.Policy

// Defaults for knobs left at zero. Enabled and AutoRollback cannot be told
// apart from false here; the API defaults them to true.
const (
	DefaultStrategy           = rollout.Staged
	DefaultBatchSize          = 10
	DefaultHealthCheckTimeout = 300 // seconds
	DefaultFailureThreshold   = 20  // percent
	DefaultMinDevices         = 1
)

// maxSeconds bounds delays and timeouts: a week is longer than any sane
// rollout step, and keeps every value far from overflowing a Duration.
const maxSeconds = 7 * 24 * 3600

// MaxDevices bounds batch, canary and threshold sizes: larger than any
// fleet, so no setting quietly means "never" (a threshold no rollout can
// reach would disable rollback), and well inside a 32-bit column.
const MaxDevices = 1_000_000

// Validate fills defaults for knobs of p left at zero, then checks every
// field and returns the first fault as an EINVALID naming the field.
//
// The batch delay may come in seconds or minutes; seconds is canonical.
// Minutes alone means seconds = minutes*60; both must agree
// (minutes = seconds/60, rounded down), and after Validate they do.
func Validate(p *Policy) error {
	normalize(p)
	for _, check := range []func(*Policy) error{
		checkPattern, checkConstraint, checkStrategy, checkBatches, checkDelay, checkHealth, checkText, checkTiming,
	} {
		if err := check(p); err != nil {
			return err
		}
	}
	return validateFilter(p.DeviceFilter)
}

func normalize(p *Policy) {
	p.ImagePattern = strings.TrimSpace(p.ImagePattern)
	p.TagConstraint = strings.TrimSpace(p.TagConstraint)
	p.UpdateStrategy = cmp.Or(p.UpdateStrategy, DefaultStrategy)
	if p.BatchSize == 0 && p.BatchPercent == 0 {
		p.BatchSize = DefaultBatchSize
	}
	p.HealthCheckTimeoutSeconds = cmp.Or(p.HealthCheckTimeoutSeconds, DefaultHealthCheckTimeout)
	p.FailureThresholdPercent = cmp.Or(p.FailureThresholdPercent, DefaultFailureThreshold)
	p.MinDevicesForThreshold = cmp.Or(p.MinDevicesForThreshold, DefaultMinDevices)
}

func checkPattern(p *Policy) error {
	_, err := ParsePattern(p.ImagePattern)
	return err
}

func checkConstraint(p *Policy) error {
	_, err := parseConstraint(p.TagConstraint)
	return err
}

func checkStrategy(p *Policy) error {
	if !slices.Contains(rollout.Strategies, p.UpdateStrategy) {
		return airlock.FieldErrorf("update_strategy", "must be one of %s", strings.Join(rollout.Strategies, ", "))
	}
	switch {
	case p.CanarySize < 0 || p.CanarySize > MaxDevices:
		return airlock.FieldErrorf("canary_size", "must be between 0 and %d", MaxDevices)
	case p.UpdateStrategy == rollout.Canary && p.CanarySize < 1:
		return airlock.FieldErrorf("canary_size", "must be at least 1 for the canary strategy")
	}
	return nil
}

func checkBatches(p *Policy) error {
	switch {
	case p.BatchSize < 0 || p.BatchSize > MaxDevices:
		return airlock.FieldErrorf("batch_size", "must be between 1 and %d", MaxDevices)
	case p.BatchPercent < 0 || p.BatchPercent > 100:
		return airlock.FieldErrorf("batch_percent", "must be between 1 and 100")
	case p.BatchSize > 0 && p.BatchPercent > 0:
		return airlock.FieldErrorf("batch_percent", "batch_size and batch_percent are mutually exclusive; set one")
	}
	return nil
}

func checkDelay(p *Policy) error {
	switch {
	case p.BatchDelaySeconds < 0 || p.BatchDelaySeconds > maxSeconds:
		return airlock.FieldErrorf("batch_delay_seconds", "must be between 0 and %d", maxSeconds)
	case p.BatchDelayMinutes < 0 || p.BatchDelayMinutes > maxSeconds/60:
		return airlock.FieldErrorf("batch_delay_minutes", "must be between 0 and %d", maxSeconds/60)
	case p.BatchDelaySeconds == 0:
		p.BatchDelaySeconds = p.BatchDelayMinutes * 60
	case p.BatchDelayMinutes != 0 && p.BatchDelayMinutes != p.BatchDelaySeconds/60:
		return airlock.FieldErrorf("batch_delay_seconds", "disagrees with batch_delay_minutes; set one of them")
	}
	p.BatchDelayMinutes = p.BatchDelaySeconds / 60
	return nil
}

func checkHealth(p *Policy) error {
	switch {
	case p.HealthCheckTimeoutSeconds < 1 || p.HealthCheckTimeoutSeconds > maxSeconds:
		return airlock.FieldErrorf("health_check_timeout_seconds", "must be between 1 and %d", maxSeconds)
	case p.FailureThresholdPercent < 1 || p.FailureThresholdPercent > 100:
		return airlock.FieldErrorf("failure_threshold_percent", "must be between 1 and 100")
	case p.MinDevicesForThreshold < 1 || p.MinDevicesForThreshold > MaxDevices:
		return airlock.FieldErrorf("min_devices_for_threshold", "must be between 1 and %d", MaxDevices)
	}
	return nil
}

func checkText(p *Policy) error {
	if len(p.Description) > 2000 {
		return airlock.FieldErrorf("description", "must be at most 2000 characters")
	}
	return nil
}
