package airlock

import (
	"encoding/json"
	"time"
)

// Device is one device of the fleet. Only the SHA-256 of its key is stored.
type Device struct {
	UUID         string            `json:"uuid"`
	Name         string            `json:"name"`
	Labels       map[string]string `json:"labels"`
	Architecture string            `json:"architecture"`
	Platform     string            `json:"platform"` // OCI form, linux/arm/v7; "" when unknown
	Online       bool              `json:"online"`
	LastSeenAt   *time.Time        `json:"last_seen_at"`
	CreatedAt    time.Time         `json:"created_at"`
	APIKey       string            `json:"api_key,omitempty"` // only in the answers that make a key
}

// DeviceDetail is a device with what it is told to run, what it last
// reported and the rollouts it is part of.
type DeviceDetail struct {
	Device
	TargetState  TargetState     `json:"target_state"`
	CurrentState *DeviceReport   `json:"current_state"`
	Rollouts     []DeviceRollout `json:"rollouts"`
}

// DeviceQuery selects devices for listing.
type DeviceQuery struct {
	Labels        map[string]string // every pair must be on the device
	Online        *bool
	OfflineBefore time.Time // last seen before this (or never) means offline
	Limit, Offset int
	After         string // the uuid of the last device of the previous page
	Q             string // a part of the name, uuid or labels
	Sort          string // created (default), name or uuid; "-" first for descending
}

// AppSpec is one app of a target state: its "image" and whatever else the
// admin gave, kept as given.
type AppSpec map[string]json.RawMessage

// Image returns the app's image reference, "" when it has none.
func (a AppSpec) Image() string {
	var s string
	json.Unmarshal(a["image"], &s)
	return s
}

// WithImage returns a copy of a whose image is image.
func (a AppSpec) WithImage(image string) AppSpec {
	out := make(AppSpec, len(a)+1)
	for k, v := range a {
		out[k] = v
	}
	out["image"], _ = json.Marshal(image)
	return out
}

// TargetState is what a device is told to run. Version grows by one on every change.
type TargetState struct {
	Version   int64              `json:"version"`
	Apps      map[string]AppSpec `json:"apps"`
	UpdatedAt time.Time          `json:"updated_at,omitzero"`
}

// DeviceTarget is what a device reads: DESIGN §7's {"version", "apps"}.
type DeviceTarget struct {
	Version int64              `json:"version"`
	Apps    map[string]AppSpec `json:"apps"`
	// PollAfterSeconds suggests when a device should poll again: sooner
	// while it takes part in an active batch, jittered. Only in polls.
	PollAfterSeconds int `json:"poll_after_seconds,omitempty"`
}

// AppReport is a device's report of one app.
type AppReport struct {
	Image        string `json:"image"`
	Status       string `json:"status"` // running, failed, exited, deferred, …
	Healthy      bool   `json:"healthy"`
	Health       string `json:"health,omitempty"`  // starting|healthy|unhealthy|none
	Message      string `json:"message,omitempty"` // at most 1 KiB kept
	ExitCode     *int   `json:"exit_code,omitempty"`
	RestartCount int    `json:"restart_count,omitempty"`
	Digest       string `json:"digest,omitempty"` // the digest it runs, when the device knows it
}

// DeviceReport is a device's latest report. It is stored as
// {"apps": …, "metrics": …} in device_current_state.state, with ReportedAt
// (the server's clock) in reported_at.
type DeviceReport struct {
	Apps       map[string]AppReport `json:"apps"`
	Metrics    map[string]any       `json:"metrics,omitempty"`
	Platform   string               `json:"platform,omitempty"` // the device's platform, OCI form or uname -m
	ReportedAt time.Time            `json:"reported_at"`
}

// DeviceRollout is a device's part in one rollout.
type DeviceRollout struct {
	RolloutID     int64     `json:"rollout_id"`
	RolloutStatus string    `json:"rollout_status"`
	App           string    `json:"app"`
	Batch         int       `json:"batch"`
	Status        string    `json:"status"`
	PreviousImage string    `json:"previous_image"`
	TargetImage   string    `json:"target_image"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// DeviceSession is what a device key proves: which device speaks, and the
// version of its target state, read together in one indexed lookup.
type DeviceSession struct {
	UUID       string
	CreatedAt  time.Time
	LastSeenAt *time.Time
	Version    int64
}
