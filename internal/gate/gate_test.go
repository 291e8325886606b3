package gate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
)

var actionRequired = map[string]any{"action_required": "Admin must approve this image before deployment"}

func notApproved(msg string) *airlock.Error {
	return &airlock.Error{Code: airlock.EFORBIDDEN, Title: "Image not approved", Message: msg, Extra: actionRequired}
}

func unvouched(host string) string {
	return "Declare the registry " + host + " (POST /api/v1/registries) and send its webhooks with its own secret; until then its pushes never deploy"
}

func unvouchedErr(image, host string) *airlock.Error {
	return &airlock.Error{Code: airlock.EFORBIDDEN, Title: "Registry not verified",
		Message: "Image '" + image + "' was pushed to " + host + ", which this webhook's secret cannot vouch for",
		Extra:   map[string]any{"action_required": unvouched(host)}}
}

func TestDecide(t *testing.T) {
	tests := []decideCase{
		{"internal skips every check",
			gate.Input{Image: "iotistic/agent", Tag: "v2.1.0", Internal: true},
			gate.Decision{Outcome: gate.Internal, Allowed: true}},
		{"internal wins over a deprecated tag",
			gate.Input{Image: "iotistic/agent", Tag: "v1", Internal: true, Found: true, Status: "rejected", TagFound: true, TagDeprecated: true},
			gate.Decision{Outcome: gate.Internal, Allowed: true}},
		{"not in registry requests approval",
			gate.Input{Image: "portainer/portainer-ce", Tag: "latest"},
			gate.Decision{Outcome: gate.NotInRegistry, RequestApproval: true,
				Err: notApproved("Image 'portainer/portainer-ce' is not in the approved registry")}},
		{"pending",
			gate.Input{Image: "redis", Tag: "7", Found: true, Status: "pending", TagFound: true},
			gate.Decision{Outcome: gate.NotApproved,
				Err: notApproved("Image 'redis' is awaiting approval in the image registry")}},
		{"rejected",
			gate.Input{Image: "redis", Tag: "7", Found: true, Status: "rejected"},
			gate.Decision{Outcome: gate.NotApproved,
				Err: notApproved("Image 'redis' has been rejected in the image registry")}},
		{"unknown status is refused",
			gate.Input{Image: "redis", Tag: "7", Found: true, Status: ""},
			gate.Decision{Outcome: gate.NotApproved,
				Err: notApproved("Image 'redis' is not approved in the image registry")}},
		{"approved, tag unknown is auto-added",
			gate.Input{Image: "redis", Tag: "7.6-alpine", Found: true, Status: "approved"},
			gate.Decision{Outcome: gate.ApprovedNewTag, Allowed: true, AddTag: true}},
		{"approved, tag deprecated",
			gate.Input{Image: "redis", Tag: "6-alpine", Found: true, Status: "approved", TagFound: true, TagDeprecated: true},
			gate.Decision{Outcome: gate.TagDeprecated, Err: &airlock.Error{Code: airlock.EFORBIDDEN,
				Title: "Tag deprecated", Message: "Tag '6-alpine' for image 'redis' is marked as deprecated"}}},
		{"approved, tag known",
			gate.Input{Image: "redis", Tag: "7.5-alpine", Found: true, Status: "approved", TagFound: true},
			gate.Decision{Outcome: gate.Approved, Allowed: true}},
		{"approved, pinned by digest alone",
			gate.Input{Image: "redis", Found: true, Status: "approved"},
			gate.Decision{Outcome: gate.Approved, Allowed: true}},
		{"rejected, pinned by digest alone",
			gate.Input{Image: "redis", Found: true, Status: "rejected"},
			gate.Decision{Outcome: gate.NotApproved,
				Err: notApproved("Image 'redis' has been rejected in the image registry")}},
	}
	runDecide(t, tests)
}

type decideCase struct {
	name string
	in   gate.Input
	want gate.Decision
}

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gate.Decide(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
			if got.Allowed == (got.Err != nil) {
				t.Errorf("Allowed=%v but Err=%v", got.Allowed, got.Err)
			}
		})
	}
}

// A sender that cannot vouch for the registry may ask; it never deploys.
func TestDecideUnvouched(t *testing.T) {
	runDecide(t, []decideCase{
		{"unvouched: unknown image still asks",
			gate.Input{Image: "10.0.0.5:5000/acme/app", Tag: "v1", Unvouched: true, Host: "10.0.0.5:5000"},
			gate.Decision{Outcome: gate.NotInRegistry, RequestApproval: true, Err: &airlock.Error{Code: airlock.EFORBIDDEN,
				Title: "Image not approved", Message: "Image '10.0.0.5:5000/acme/app' is not in the approved registry",
				Extra: map[string]any{"action_required": "Admin must approve this image before deployment", "registry": unvouched("10.0.0.5:5000")}}}},
		{"unvouched: internal name gets no bypass and asks nothing",
			gate.Input{Image: "iotistic/agent", Tag: "v2.2.0", Internal: true, Unvouched: true, Host: "docker.io"},
			gate.Decision{Outcome: gate.Unvouched, Err: unvouchedErr("iotistic/agent", "docker.io")}},
		{"unvouched: approved image, known tag, does not deploy",
			gate.Input{Image: "redis", Tag: "7", Found: true, Status: "approved", TagFound: true, Unvouched: true, Host: "docker.io"},
			gate.Decision{Outcome: gate.Unvouched, Err: unvouchedErr("redis", "docker.io")}},
		{"unvouched: approved image, new tag, is not added",
			gate.Input{Image: "redis", Tag: "7-evil", Found: true, Status: "approved", Unvouched: true, Host: "docker.io"},
			gate.Decision{Outcome: gate.Unvouched, Err: unvouchedErr("redis", "docker.io")}},
		{"unvouched: rejected image",
			gate.Input{Image: "redis", Tag: "7", Found: true, Status: "rejected", Unvouched: true, Host: "docker.io"},
			gate.Decision{Outcome: gate.NotApproved, Err: notApproved("Image 'redis' has been rejected in the image registry")}},
	})
}

func TestOutcomeString(t *testing.T) {
	want := map[gate.Outcome]string{
		0:                           "unknown",
		gate.Internal:               "internal",
		gate.Approved:               "approved",
		gate.ApprovedNewTag:         "approved_new_tag",
		gate.NotInRegistry:          "not_in_registry",
		gate.NotApproved:            "not_approved",
		gate.TagDeprecated:          "tag_deprecated",
		gate.Unvouched:              "registry_unverified",
		gate.RuleRefused:            "rule_refused",
		gate.RuleHeld:               "rule_held",
		gate.ReleaseNotApproved:     "release_not_approved",
		gate.ReleaseNotApproved + 1: "unknown",
	}
	for o, s := range want {
		if got := o.String(); got != s {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, s)
		}
	}
}
