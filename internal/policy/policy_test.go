package policy_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/policy"
)

func TestValidateDefaults(t *testing.T) {
	p := policy.Policy{ImagePattern: " redis:* ", BatchDelayMinutes: 5}
	if err := policy.Validate(&p); err != nil {
		t.Fatal(err)
	}
	want := policy.Policy{
		ImagePattern: "redis:*", UpdateStrategy: "staged", BatchSize: 10,
		BatchDelaySeconds: 300, BatchDelayMinutes: 5,
		HealthCheckTimeoutSeconds: 300, FailureThresholdPercent: 20, MinDevicesForThreshold: 1,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidateDelay(t *testing.T) {
	tests := []struct {
		seconds, minutes         int
		wantSeconds, wantMinutes int
	}{
		{0, 0, 0, 0},
		{0, 2, 120, 2},
		{90, 0, 90, 1},
		{90, 1, 90, 1},
		{600, 10, 600, 10},
	}
	for _, tt := range tests {
		p := policy.Policy{ImagePattern: "redis", BatchDelaySeconds: tt.seconds, BatchDelayMinutes: tt.minutes}
		if err := policy.Validate(&p); err != nil {
			t.Errorf("%d s, %d min: %v", tt.seconds, tt.minutes, err)
			continue
		}
		if p.BatchDelaySeconds != tt.wantSeconds || p.BatchDelayMinutes != tt.wantMinutes {
			t.Errorf("%d s, %d min → %d s, %d min", tt.seconds, tt.minutes, p.BatchDelaySeconds, p.BatchDelayMinutes)
		}
	}
}

func TestValidateInvalid(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*policy.Policy)
		field string
	}{
		{"empty pattern", func(p *policy.Policy) { p.ImagePattern = "" }, "image_pattern"},
		{"bad pattern", func(p *policy.Policy) { p.ImagePattern = "*foo[" }, "image_pattern"},
		{"bad constraint", func(p *policy.Policy) { p.TagConstraint = ">= seven" }, "tag_constraint"},
		{"unknown strategy", func(p *policy.Policy) { p.UpdateStrategy = "yolo" }, "update_strategy"},
		{"canary without size", func(p *policy.Policy) { p.UpdateStrategy = "canary" }, "canary_size"},
		{"negative canary", func(p *policy.Policy) { p.CanarySize = -1 }, "canary_size"},
		{"negative batch size", func(p *policy.Policy) { p.BatchSize = -1 }, "batch_size"},
		{"percent over 100", func(p *policy.Policy) { p.BatchPercent = 101 }, "batch_percent"},
		{"negative percent", func(p *policy.Policy) { p.BatchPercent = -5 }, "batch_percent"},
		{"size and percent", func(p *policy.Policy) { p.BatchSize, p.BatchPercent = 3, 50 }, "batch_percent"},
		{"negative delay", func(p *policy.Policy) { p.BatchDelaySeconds = -1 }, "batch_delay_seconds"},
		{"negative minutes", func(p *policy.Policy) { p.BatchDelayMinutes = -1 }, "batch_delay_minutes"},
		{"huge minutes", func(p *policy.Policy) { p.BatchDelayMinutes = 1 << 60 }, "batch_delay_minutes"},
		{"units disagree", func(p *policy.Policy) { p.BatchDelaySeconds, p.BatchDelayMinutes = 90, 10 }, "batch_delay_seconds"},
		{"negative timeout", func(p *policy.Policy) { p.HealthCheckTimeoutSeconds = -1 }, "health_check_timeout_seconds"},
		{"huge timeout", func(p *policy.Policy) { p.HealthCheckTimeoutSeconds = 1 << 40 }, "health_check_timeout_seconds"},
		{"threshold over 100", func(p *policy.Policy) { p.FailureThresholdPercent = 101 }, "failure_threshold_percent"},
		{"negative threshold", func(p *policy.Policy) { p.FailureThresholdPercent = -1 }, "failure_threshold_percent"},
		{"negative min devices", func(p *policy.Policy) { p.MinDevicesForThreshold = -1 }, "min_devices_for_threshold"},
		{"empty label key", func(p *policy.Policy) { p.DeviceFilter.Labels = map[string]string{"": "x"} }, "device_filter"},
		{"empty uuid", func(p *policy.Policy) { p.DeviceFilter.UUIDs = []string{""} }, "device_filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy.Policy{ImagePattern: "redis"}
			tt.edit(&p)
			err := policy.Validate(&p)
			var e *airlock.Error
			if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != tt.field {
				t.Errorf("Validate() = %v, want a field error on %s", err, tt.field)
			}
		})
	}
}

func TestValidateValid(t *testing.T) {
	for _, p := range []policy.Policy{
		{ImagePattern: "redis", UpdateStrategy: "immediate"},
		{ImagePattern: "redis", UpdateStrategy: "canary", CanarySize: 1, BatchPercent: 25},
		{ImagePattern: "redis", UpdateStrategy: "manual", BatchSize: 1},
		{ImagePattern: "redis", BatchPercent: 100, FailureThresholdPercent: 100, TagConstraint: ">= 7"},
		{ImagePattern: "redis", DeviceFilter: policy.DeviceFilter{Labels: map[string]string{"site": "a"}, UUIDs: []string{"u1"}}},
	} {
		if err := policy.Validate(&p); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

func TestDeviceFilterMatches(t *testing.T) {
	labels := map[string]string{"site": "berlin", "tier": "edge"}
	tests := []struct {
		name   string
		filter policy.DeviceFilter
		uuid   string
		want   bool
	}{
		{"empty admits all", policy.DeviceFilter{}, "u1", true},
		{"label matches", policy.DeviceFilter{Labels: map[string]string{"site": "berlin"}}, "u1", true},
		{"all labels must match", policy.DeviceFilter{Labels: map[string]string{"site": "berlin", "tier": "core"}}, "u1", false},
		{"missing label", policy.DeviceFilter{Labels: map[string]string{"rack": "3"}}, "u1", false},
		{"empty value is still required", policy.DeviceFilter{Labels: map[string]string{"rack": ""}}, "u1", false},
		{"uuid listed", policy.DeviceFilter{UUIDs: []string{"u0", "u1"}}, "u1", true},
		{"uuid not listed", policy.DeviceFilter{UUIDs: []string{"u0"}}, "u1", false},
		{"both hold", policy.DeviceFilter{Labels: map[string]string{"tier": "edge"}, UUIDs: []string{"u1"}}, "u1", true},
		{"uuid holds, labels do not", policy.DeviceFilter{Labels: map[string]string{"tier": "core"}, UUIDs: []string{"u1"}}, "u1", false},
		{"labels hold, uuid does not", policy.DeviceFilter{Labels: map[string]string{"tier": "edge"}, UUIDs: []string{"u2"}}, "u1", false},
	}
	for _, tt := range tests {
		if got := tt.filter.Matches(tt.uuid, labels); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}
