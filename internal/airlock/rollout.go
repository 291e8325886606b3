package airlock

import "time"

// Rollout is one image_update_rollout: an image being taken to the devices
// that run its repository, batch by batch. Its knobs are copied from the
// policy when it is created, so editing the policy later changes nothing here.
type Rollout struct {
	ID                        int64      `json:"id"`
	PolicyID                  *int64     `json:"policy_id"`
	Image                     string     `json:"image"` // the normalised reference devices are given
	Registry                  string     `json:"registry"`
	Namespace                 string     `json:"namespace"`
	ImageName                 string     `json:"image_name"`
	Tag                       string     `json:"tag"`
	Digest                    string     `json:"digest"`
	UpdateStrategy            string     `json:"update_strategy"`
	BatchSize                 int        `json:"batch_size"`
	BatchPercent              int        `json:"batch_percent"`
	BatchDelaySeconds         int        `json:"batch_delay_seconds"`
	CanarySize                int        `json:"canary_size"`
	HealthCheckTimeoutSeconds int        `json:"health_check_timeout_seconds"`
	FailureThresholdPercent   int        `json:"failure_threshold_percent"`
	MinDevicesForThreshold    int        `json:"min_devices_for_threshold"`
	AutoRollback              bool       `json:"auto_rollback"`
	Status                    string     `json:"status"`
	CurrentBatch              int        `json:"current_batch"`
	TotalBatches              int        `json:"total_batches"`
	TotalDevices              int        `json:"total_devices"`
	Trigger                   string     `json:"trigger"`
	Reason                    string     `json:"reason"`
	CreatedAt                 time.Time  `json:"created_at"`
	StartedAt                 *time.Time `json:"started_at"`
	BatchStartedAt            *time.Time `json:"batch_started_at"`
	BatchDoneAt               *time.Time `json:"batch_done_at"`
	CompletedAt               *time.Time `json:"completed_at"`
	Timing
	StartAt      *time.Time `json:"start_at"`       // a manual rollout starts no device before
	EndAt        *time.Time `json:"end_at"`         // nor after
	NextWindowAt *time.Time `json:"next_window_at"` // while waiting_for_window: when one opens

	// Planning is a planning rollout's progress; nil once it is planned.
	Planning *PlanProgress `json:"planning,omitempty"`

	BatchTimes []BatchTimes   `json:"batch_times,omitempty"`
	Counts     map[string]int `json:"counts,omitempty"`  // devices by status
	Batches    []BatchCounts  `json:"batches,omitempty"` // per batch, in order
}

// PlanProgress is how far the planner has got: devices planned so far and
// the devices it expects, once counted (nil before).
type PlanProgress struct {
	Planned   int  `json:"planned"`
	Estimated *int `json:"estimated"`
}

// BatchCounts counts the devices of one batch by status.
type BatchCounts struct {
	Batch  int            `json:"batch"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

// RolloutDevice is one app of one device in a rollout. A device running the
// repository in several apps has a row per app; all are in the same batch.
type RolloutDevice struct {
	RolloutID     int64     `json:"rollout_id"`
	DeviceUUID    string    `json:"device_uuid"`
	App           string    `json:"app"`
	Batch         int       `json:"batch"`
	PreviousImage string    `json:"previous_image"`
	TargetImage   string    `json:"target_image"`
	Status        string    `json:"status"`
	Error         string    `json:"error"` // why it got its verdict, or was skipped or cancelled
	UpdatedAt     time.Time `json:"updated_at"`

	// Evidence, kept through rollback and cancel.
	DeviceName string     `json:"device_name"`
	Outcome    string     `json:"outcome"` // the verdict: succeeded, failed or timed_out; "" before one
	Message    string     `json:"message"` // the app's last message
	ExitCode   *int       `json:"exit_code"`
	Attempts   int        `json:"attempts"`
	StartedAt  *time.Time `json:"started_at"`
	ReportedAt *time.Time `json:"reported_at"`
	HealthyAt  *time.Time `json:"first_healthy_at"`
	JudgedAt   *time.Time `json:"judged_at"`
}

// RolloutFilter selects rollouts for listing.
type RolloutFilter struct {
	Status        string // one status, or several comma-separated
	Image         string // a normalised repository, e.g. docker.io/library/redis
	Limit, Offset int
	After         int64  // the id of the last rollout of the previous page
	Q             string // a part of the image (registry/namespace/name:tag), or #id
	Sort          string // -created (newest first, the default) or created
}

// RolloutDeviceFilter selects the devices of a rollout for listing.
type RolloutDeviceFilter struct {
	Status        string
	Batch         int // 0 = every batch
	Limit, Offset int
	After         string // the previous page's next
}
