package rules

import (
	"time"

	"github.com/airlock-iot/airlock/internal/policy"
)

// Results of one rule.
const (
	Pass = "pass"
	Fail = "fail"
	Wait = "wait" // evidence is missing: a signature, a report, time
)

// Outcomes of all rules together.
const (
	Allowed = "allowed"
	Held    = "held"
	Refused = "refused"
)

// Verdict is one rule's judgement of a release.
type Verdict struct {
	Rule       string    `json:"rule"`
	Kind       string    `json:"kind"`
	Mode       string    `json:"mode"`
	Result     string    `json:"result"`
	Reason     string    `json:"reason"`
	WaitingFor string    `json:"waiting_for,omitempty"` // "signature", "scan report", "2 more approvals"
	Until      time.Time `json:"until,omitzero"`        // when a wait on time ends by itself
}

// Outcome adds up the verdicts: any enforce rule failing refuses, naming
// the first such rule; else any enforce rule waiting holds. Warn rules
// never refuse or hold. Until, for a held release, is the earliest time a
// wait ends by itself, when the caller should evaluate again.
type Outcome struct {
	Status   string    `json:"status"`
	Rule     string    `json:"rule,omitempty"` // the refusing rule
	Verdicts []Verdict `json:"verdicts"`
	Until    time.Time `json:"until,omitzero"`
}

// Evaluate judges rel against each rule whose image_pattern matches it, in
// the order given. Rules must have passed Validate; one that no longer
// parses fails rather than passing unseen.
func Evaluate(rules []Rule, rel Release, ev Evidence, now time.Time) Outcome {
	out := Outcome{Status: Allowed, Verdicts: []Verdict{}}
	for i := range rules {
		r := &rules[i]
		p, err := policy.ParsePattern(r.ImagePattern)
		if err == nil && !p.Match(rel.Repository, rel.Tag) {
			continue
		}
		v := Verdict{Rule: r.Name, Kind: r.Kind, Mode: r.Mode}
		if err != nil || r.spec(r.Kind, false) == nil {
			v.Result, v.Reason = Fail, "the rule is invalid"
		} else {
			judge(&v, r, rel, ev, now)
		}
		out.add(v)
	}
	if out.Status != Held {
		out.Until = time.Time{}
	}
	return out
}

func (o *Outcome) add(v Verdict) {
	o.Verdicts = append(o.Verdicts, v)
	if v.Mode == ModeWarn {
		return
	}
	switch {
	case v.Result == Fail && o.Status != Refused:
		o.Status, o.Rule = Refused, v.Rule
	case v.Result == Wait && o.Status == Allowed:
		o.Status = Held
	}
	if v.Result == Wait && !v.Until.IsZero() && (o.Until.IsZero() || v.Until.Before(o.Until)) {
		o.Until = v.Until
	}
}

func judge(v *Verdict, r *Rule, rel Release, ev Evidence, now time.Time) {
	switch r.Kind {
	case KindSignature:
		judgeSignature(v, r.Signature, ev.Signatures[r.Name])
	case KindVulnerabilities:
		judgeVulnerabilities(v, r.Vulnerabilities, ev.Scan, now)
	case KindTag:
		judgeTag(v, r.Tag, rel.Tag)
	case KindRegistries:
		judgeRegistries(v, r.Registries, rel.Repository)
	case KindAge:
		judgeAge(v, r.Age, rel.PushedAt, now)
	case KindLabels:
		judgeLabels(v, r.Labels, rel)
	case KindApprovals:
		judgeApprovals(v, r.Approvals, ev.Approval, now)
	case KindChecks:
		judgeChecks(v, r.Checks, ev.Checks)
	case KindTestRing:
		v.Result, v.Reason = Pass, "releases that pass every other rule run on the test ring first"
	}
}

// TestRings returns the test_ring rules that apply to rel.
func TestRings(rules []Rule, rel Release) []Rule {
	var out []Rule
	for _, r := range rules {
		p, err := policy.ParsePattern(r.ImagePattern)
		if err == nil && r.Kind == KindTestRing && r.TestRing != nil && p.Match(rel.Repository, rel.Tag) {
			out = append(out, r)
		}
	}
	return out
}
