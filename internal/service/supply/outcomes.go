package supply

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
)

// Evidence is gathered from registries, which may be slow, so a rules
// outcome is worked out before the transaction that acts on it and
// handed to it through the context, keyed by the release's content.
type outcomesKey struct{}

// Outcomes are rules outcomes by release content (see key); a zero
// Outcome says no enforce rule concerns that content.
type Outcomes map[string]rules.Outcome

func key(r release.Release) string {
	return fmt.Sprintf("%s:%s@%s", r.Repository(), r.Tag, r.Digest)
}

// Add records the outcome of r.
func (o Outcomes) Add(r release.Release, out rules.Outcome) { o[key(r)] = out }

// WithOutcomes hands outcomes to the transactions run under ctx.
func WithOutcomes(ctx context.Context, o Outcomes) context.Context {
	return context.WithValue(ctx, outcomesKey{}, o)
}

// OutcomeOf is the outcome worked out for r before the transaction, if any.
func OutcomeOf(ctx context.Context, r release.Release) (rules.Outcome, bool) {
	o, _ := ctx.Value(outcomesKey{}).(Outcomes)
	out, ok := o[key(r)]
	return out, ok
}

// Hook is the releases' rules hook, run inside their transaction: the
// outcome worked out beforehand, else, when an enforce rule matches r, a
// hold until Reevaluate gathers the evidence. No rule matching allows.
func Hook(ctx context.Context, tx *store.Tx, r release.Release) (*rules.Outcome, error) {
	out, ok := OutcomeOf(ctx, r)
	if !ok {
		all, err := supplydb.RulesTx(ctx, tx)
		if err != nil {
			return nil, err
		}
		out = unevaluated(Enforcing(all, r))
	}
	if out.Status == "" {
		out = rules.Outcome{Status: rules.Allowed, Verdicts: []rules.Verdict{}}
	}
	if out.Status == rules.Allowed && (r.Status != release.StatusHeld || r.Hold != release.HoldRules) {
		return nil, nil // nothing to say; a release rules held goes free
	}
	return &out, nil
}

// unevaluated holds a release for each enforce rule whose evidence was not
// gathered; none holds nothing (Status "").
func unevaluated(enforcing []rules.Rule) rules.Outcome {
	var out rules.Outcome
	for _, rule := range enforcing {
		out.Status = rules.Held
		out.Verdicts = append(out.Verdicts, rules.Verdict{Rule: rule.Name, Kind: rule.Kind, Mode: rule.Mode,
			Result: rules.Wait, Reason: "not evaluated yet", WaitingFor: "its evidence to be gathered"})
	}
	return out
}

// Enforcing is the enforce rules among all whose pattern matches r: only
// releases some rule concerns cost an evaluation.
func Enforcing(all []rules.Rule, r release.Release) []rules.Rule {
	var out []rules.Rule
	for _, rule := range Matching(all, Subject(r)) {
		if rule.Mode != rules.ModeWarn {
			out = append(out, rule)
		}
	}
	return out
}
