package gate

import (
	"fmt"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// decideRules applies the rules' outcome to a decision the table allowed:
// a failing enforce rule refuses, naming it; missing evidence holds.
func decideRules(d Decision, o rules.Outcome) Decision {
	switch o.Status {
	case rules.Refused:
		return Decision{Outcome: RuleRefused, Err: &airlock.Error{
			Code:    airlock.EFORBIDDEN,
			Title:   "Refused by rule",
			Message: fmt.Sprintf("Rule '%s' refuses this release: %s", o.Rule, reasonOf(o, o.Rule)),
			Extra:   map[string]any{"rule": o.Rule, "action_required": "Push a release the rule allows, or change the rule"},
		}}
	case rules.Held:
		rule, waiting := waitingFor(o)
		return Decision{Outcome: RuleHeld, Held: true, Err: &airlock.Error{
			Code:    airlock.EFORBIDDEN,
			Title:   "Held by rule",
			Message: "The release is held, waiting for " + strings.Join(waiting, "; "),
			Extra:   map[string]any{"rule": rule, "waiting_for": waiting, "action_required": "It is released when the evidence arrives"},
		}}
	}
	return d
}

func reasonOf(o rules.Outcome, rule string) string {
	for _, v := range o.Verdicts {
		if v.Rule == rule && v.Result == rules.Fail {
			return v.Reason
		}
	}
	return "it failed"
}

// waitingFor names the first enforce rule that waits and what each waits for.
func waitingFor(o rules.Outcome) (first string, waiting []string) {
	for _, v := range o.Verdicts {
		if v.Result != rules.Wait || v.Mode == rules.ModeWarn {
			continue
		}
		if first == "" {
			first = v.Rule
		}
		what := v.WaitingFor
		if what == "" {
			what = v.Reason
		}
		waiting = append(waiting, fmt.Sprintf("%s (rule %s)", what, v.Rule))
	}
	return first, waiting
}
