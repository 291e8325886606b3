package gate_test

import (
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/rules"
)

func TestRulesOutcomeRefusesOrHoldsWhatTheTableAllows(t *testing.T) {
	approved := gate.Input{Image: "redis", Tag: "latest", Found: true, Status: airlock.StatusApproved, TagFound: true}
	rs := []rules.Rule{
		{Name: "no latest", ImagePattern: "*", Kind: rules.KindTag, Mode: rules.ModeEnforce, Tag: &rules.Tag{Deny: []string{"latest"}}},
		{Name: "scanned", ImagePattern: "*", Kind: rules.KindVulnerabilities, Mode: rules.ModeEnforce,
			Vulnerabilities: &rules.Vulnerabilities{MaxSeverity: "high", RequireReport: true}},
	}
	rel := rules.Release{Repository: "docker.io/library/redis", Tag: "latest"}
	now := time.Now()

	refused := rules.Evaluate(rs, rel, rules.Evidence{}, now)
	in := approved
	in.Rules = &refused
	d := gate.Decide(in)
	body := d.Err.Body()
	if d.Allowed || d.Outcome != gate.RuleRefused || d.Err.Code != airlock.EFORBIDDEN || body["rule"] != "no latest" ||
		body["error"] != "Refused by rule" || body["message"] == "" {
		t.Fatalf("a denied tag: %+v %v", d, body)
	}

	rel.Tag = "7.2"
	held := rules.Evaluate(rs, rel, rules.Evidence{}, now)
	in.Tag, in.Rules = "7.2", &held
	if d := gate.Decide(in); d.Allowed || !d.Held || d.Outcome != gate.RuleHeld || d.Err.Extra["rule"] != "scanned" {
		t.Fatalf("no scan report yet: %+v", d)
	}

	allowed := rules.Evaluate(rs[:1], rel, rules.Evidence{}, now)
	in.Rules = &allowed
	if d := gate.Decide(in); !d.Allowed || d.Outcome != gate.Approved {
		t.Fatalf("every rule passes: %+v", d)
	}

	in.Status, in.Rules = airlock.StatusPending, &allowed
	if d := gate.Decide(in); d.Allowed || d.Outcome != gate.NotApproved {
		t.Fatalf("rules never allow what the table refuses: %+v", d)
	}
}
