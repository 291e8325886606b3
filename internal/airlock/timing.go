package airlock

import "time"

// Timing holds the judgement and timing knobs a policy sets and its
// rollouts copy (issue 15); internal/rollout gives each its meaning. Zero
// values are off, except IncludeNewDevices, which policies default to true.
type Timing struct {
	HealthGraceSeconds  int                 `json:"health_grace_seconds"`  // how long a running app may be unhealthy; 0: the health timeout
	BakeSeconds         int                 `json:"bake_seconds"`          // how long a device must stay healthy to succeed
	MaxRetries          int                 `json:"max_retries"`           // further attempts before a failure counts
	RetryBackoffSeconds int                 `json:"retry_backoff_seconds"` // the first retry's delay, doubling; 0: 30 s
	DeferTimeoutSeconds int                 `json:"defer_timeout_seconds"` // how long a device may defer; 0: the health timeout
	MaintenanceWindows  []MaintenanceWindow `json:"maintenance_windows"`   // devices start only inside one; none: any time
	MaxDevicesPerMinute int                 `json:"max_devices_per_minute"`
	Ramp                Ramp                `json:"ramp"`
	IncludeNewDevices   bool                `json:"include_new_devices"` // devices that turn up join the last batch
}

// MaintenanceWindow opens at each time Cron (5 fields) fires in Timezone
// and stays open for Duration; see internal/window.
type MaintenanceWindow struct {
	Cron     string `json:"cron"`
	Duration string `json:"duration"`
	Timezone string `json:"timezone,omitempty"`
}

// Ramp is an exponential rollout rate; see internal/rollout.Ramp.
type Ramp struct {
	BasePerMinute  int     `json:"base_per_minute,omitempty"`
	Factor         float64 `json:"factor,omitempty"`
	EverySucceeded int     `json:"every_succeeded,omitempty"`
}

// BatchTimes is when one batch of a rollout started and completed.
type BatchTimes struct {
	Batch       int        `json:"batch"`
	Status      string     `json:"status"` // pending, running, done, stopped or skipped
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

// KnownBad is content a rolled-back rollout delivered: pushes of it start
// no rollout until it is cleared.
type KnownBad struct {
	ID        int64     `json:"id"`
	Content   string    `json:"content"` // the digest, or image:tag when the rollout had none
	Image     string    `json:"image"`
	RolloutID *int64    `json:"rollout_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}
