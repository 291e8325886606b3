package release

import (
	"errors"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

func TestHeldAndLift(t *testing.T) {
	ready := rel(1, "7.6", dgA, t0, StatusReady)
	h := Held(ready, HoldPlatforms, "require_all_platforms: no linux/arm64 in this image (2 devices)")
	if h.Status != StatusHeld || h.Hold != HoldPlatforms || !strings.Contains(h.Reason, "linux/arm64") {
		t.Fatalf("Held: %+v", h)
	}
	if again := Held(h, HoldCost, "over"); again.Hold != HoldPlatforms {
		t.Fatalf("a second kind of hold replaced the first: %+v", again)
	}
	if _, ok := Lift(h, HoldCost, "approved"); ok {
		t.Fatal("lifted a hold of another kind")
	}
	up, ok := Lift(h, HoldPlatforms, "arm64 pushed")
	if !ok || up.Status != StatusReady || up.Hold != HoldNone || up.Reason != "arm64 pushed" {
		t.Fatalf("Lift: %v %+v", ok, up)
	}
	for _, st := range []Status{StatusResolving, StatusRefused, StatusKnownBad, StatusDuplicate} {
		if got := Held(rel(1, "7.6", dgA, t0, st), HoldCost, "x"); got.Status != st {
			t.Errorf("Held changed a %s release to %s", st, got.Status)
		}
	}
}

func TestFromRules(t *testing.T) {
	waitChecks := rules.Verdict{Rule: "ci", Kind: rules.KindChecks, Mode: rules.ModeEnforce, Result: rules.Wait,
		WaitingFor: "check smoke", Reason: "1 of 1 required checks have not succeeded yet"}
	warn := rules.Verdict{Rule: "age", Mode: rules.ModeWarn, Result: rules.Wait, WaitingFor: "time"}
	failed := rules.Verdict{Rule: "ci", Kind: rules.KindChecks, Mode: rules.ModeEnforce, Result: rules.Fail, Reason: "check smoke failed: boot loop"}
	ready := rel(1, "7.6", dgA, t0, StatusReady)
	cases := []struct {
		name   string
		in     Release
		o      rules.Outcome
		status Status
		hold   Hold
		reason string
	}{
		{"held by checks", ready, rules.Outcome{Status: rules.Held, Verdicts: []rules.Verdict{warn, waitChecks}},
			StatusHeld, HoldRules, "waiting for check smoke (rule ci)"},
		{"then allowed", Held(ready, HoldRules, "x"), rules.Outcome{Status: rules.Allowed}, StatusReady, HoldNone, "every rule passed"},
		{"refused on failure", Held(ready, HoldRules, "x"), rules.Outcome{Status: rules.Refused, Rule: "ci", Verdicts: []rules.Verdict{failed}},
			StatusRefused, HoldNone, "refused by rule ci: check smoke failed: boot loop"},
		{"known bad stays", Held(ready, HoldKnownBad, "bad"), rules.Outcome{Status: rules.Allowed}, StatusHeld, HoldKnownBad, "bad"},
		{"platform hold stays", Held(ready, HoldPlatforms, "arm"), rules.Outcome{Status: rules.Allowed}, StatusHeld, HoldPlatforms, "arm"},
	}
	for _, c := range cases {
		got := FromRules(c.in, c.o)
		if got.Status != c.status || got.Hold != c.hold || got.Reason != c.reason {
			t.Errorf("%s: got %s %q %q, want %s %q %q", c.name, got.Status, got.Hold, got.Reason, c.status, c.hold, c.reason)
		}
	}
}

func TestValidatePush(t *testing.T) {
	ok := push("7.6", dgA, t0)
	if err := ValidatePush(ok); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*Push){
		"tag":        func(p *Push) { p.Tag = "-x" },
		"digest":     func(p *Push) { p.Digest = "sha256:zz" },
		"source":     func(p *Push) { p.Source = "email" },
		"pusher":     func(p *Push) { p.Pusher = "a\x00b" },
		"media_type": func(p *Push) { p.MediaType = "a\nb" },
		"image":      func(p *Push) { p.Name = "" },
	} {
		p := ok
		mutate(&p)
		var e *airlock.Error
		if err := ValidatePush(p); !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
