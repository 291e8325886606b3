package policy_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/policy"
)

func TestSelect(t *testing.T) {
	policies := []policy.Policy{
		{ID: 1, ImagePattern: "redis:*", Enabled: true},
		{ID: 2, ImagePattern: "redis:7-alpine", Enabled: true},
		{ID: 3, ImagePattern: "redis:6*", Enabled: false},
		{ID: 4, ImagePattern: "iotistic/*", Enabled: true},
		{ID: 5, ImagePattern: "iotistic/agent", Enabled: true, TagConstraint: ">= 2"},
		{ID: 6, ImagePattern: "docker.io/library/redis:*", Enabled: true}, // same rank as 1: lower id wins
		{ID: 7, ImagePattern: "nginx", Enabled: false},
		{ID: 8, ImagePattern: "ghcr.io/acme/api", Enabled: true, TagConstraint: "~1.2"},
		{ID: 9, ImagePattern: "*foo[", Enabled: true}, // invalid row: skipped, not fatal
		{ID: 10, ImagePattern: "ghcr.io/acme/api:edge", Enabled: false},
	}
	tests := []struct {
		repo, tag string
		wantID    int64 // the selected policy, or the one the reason names
		reason    policy.Reason
	}{
		{"docker.io/library/redis", "7-alpine", 2, policy.Selected},
		{"docker.io/library/redis", "7.5-alpine", 1, policy.Selected},
		{"docker.io/library/redis", "6.2", 1, policy.Selected}, // disabled 3 is skipped for 1
		{"docker.io/iotistic/agent", "v2.1.0", 5, policy.Selected},
		{"docker.io/iotistic/agent", "v1.9.0", 4, policy.Selected}, // 5's constraint fails
		{"docker.io/iotistic/agent", "latest", 4, policy.Selected},
		{"docker.io/iotistic/other", "1", 4, policy.Selected},
		{"docker.io/library/nginx", "1.27", 7, policy.Disabled},
		{"docker.io/library/memcached", "1", 0, policy.NoMatch},
		{"ghcr.io/acme/api", "1.2.9", 8, policy.Selected},
		{"ghcr.io/acme/api", "1.3.0", 8, policy.ConstraintUnmet},
		{"ghcr.io/acme/api", "edge", 10, policy.Disabled}, // disabled outranks a failed constraint
		{"docker.io/library/redis", "6.1", 1, policy.Selected},
	}
	set, err := policy.Compile(policies)
	if err == nil {
		t.Error("Compile did not report the invalid policy")
	}
	for _, tt := range tests {
		for name, sel := range map[string]func(string, string) (policy.Policy, bool, policy.Reason){
			"Set.Select": set.Select,
			"Select": func(r, tag string) (policy.Policy, bool, policy.Reason) {
				return policy.Select(policies, r, tag)
			},
		} {
			p, ok, reason := sel(tt.repo, tt.tag)
			if p.ID != tt.wantID || ok != (tt.reason == policy.Selected) || reason != tt.reason {
				t.Errorf("%s(%q, %q) = policy %d, %v, %q; want %d, %q", name, tt.repo, tt.tag, p.ID, ok, reason, tt.wantID, tt.reason)
			}
		}
	}
}

func TestSelectEmpty(t *testing.T) {
	if _, ok, reason := policy.Select(nil, "docker.io/library/redis", "7"); ok || reason != policy.NoMatch {
		t.Errorf("got %v, %q", ok, reason)
	}
}
