package airlock

import (
	"slices"
	"time"
)

// Policy is an image_update_policy: which pushed images roll out, and how.
// internal/policy parses, validates and selects policies.
type Policy struct {
	ID                        int64          `json:"id"`
	ImagePattern              string         `json:"image_pattern"`
	TagConstraint             string         `json:"tag_constraint"`
	UpdateStrategy            string         `json:"update_strategy"`
	BatchSize                 int            `json:"batch_size"`
	BatchPercent              int            `json:"batch_percent"`
	BatchDelaySeconds         int            `json:"batch_delay_seconds"`
	BatchDelayMinutes         int            `json:"batch_delay_minutes"`
	CanarySize                int            `json:"canary_size"`
	HealthCheckTimeoutSeconds int            `json:"health_check_timeout_seconds"`
	FailureThresholdPercent   int            `json:"failure_threshold_percent"`
	MinDevicesForThreshold    int            `json:"min_devices_for_threshold"`
	AutoRollback              bool           `json:"auto_rollback"`
	DeviceFilter              DeviceSelector `json:"device_filter"`
	Timing
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
	// RequireAllPlatforms holds a release that lacks the platform of one of
	// the policy's devices, instead of skipping those devices.
	RequireAllPlatforms bool `json:"require_all_platforms"`
	// AllowDowngrade lets a push older than what the devices run roll out.
	AllowDowngrade bool `json:"allow_downgrade"`
	// Mirror sends its devices the mirror's copy of a release, when a
	// mirror is declared (default true); false opts out of mirroring.
	Mirror    bool      `json:"mirror"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DeviceSelector is a policy's device_filter: it narrows the policy to some
// devices. The empty selector admits all.
type DeviceSelector struct {
	Labels map[string]string `json:"labels,omitempty"` // every pair must be on the device
	UUIDs  []string          `json:"uuids,omitempty"`  // the device must be listed
}

// Matches reports whether a device passes every part of the filter that is set.
func (f DeviceSelector) Matches(uuid string, labels map[string]string) bool {
	if len(f.UUIDs) > 0 && !slices.Contains(f.UUIDs, uuid) {
		return false
	}
	for k, v := range f.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
