// Package supply holds the supply-chain use cases: the rules (issue 16),
// the scan reports and CI checks they judge by, and the Checker that
// gathers a release's evidence and evaluates the rules over it.
package supply

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/verify"
)

// Rules keeps the supply-chain rules.
type Rules struct {
	DB *store.DB
}

// validate fills r's defaults and refuses it with a field error; a
// signature rule's keys and trusted root must also load, so that a rule
// that could never verify is refused when written, not when a push arrives.
func validate(r *rules.Rule) error {
	if err := rules.Validate(r); err != nil {
		return err
	}
	if r.Kind == rules.KindSignature {
		if _, err := verify.NewSigners(r.Signature); err != nil {
			return err
		}
	}
	return nil
}

// Create validates and stores a rule.
func (s Rules) Create(ctx context.Context, actor string, r rules.Rule) (rules.Rule, error) {
	r.ID = 0
	if err := validate(&r); err != nil {
		return r, err
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) (err error) {
		r, err = supplydb.CreateRule(ctx, tx, r)
		return err
	})
	return r, err
}

// Replace puts r in the place of rule id.
func (s Rules) Replace(ctx context.Context, actor string, id int64, r rules.Rule) (rules.Rule, error) {
	if r.ID != 0 && r.ID != id {
		return r, airlock.FieldErrorf("id", "must be %d, the rule's id, or absent", id)
	}
	r.ID = id
	if err := validate(&r); err != nil {
		return r, err
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) (err error) {
		if _, err := supplydb.RuleForUpdate(ctx, tx, id); err != nil {
			return err
		}
		r, err = supplydb.UpdateRule(ctx, tx, r)
		return err
	})
	return r, err
}

// Delete removes rule id.
func (s Rules) Delete(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return supplydb.DeleteRule(ctx, tx, id) })
}

// Get reads rule id.
func (s Rules) Get(ctx context.Context, id int64) (rules.Rule, error) {
	return supplydb.Rule(ctx, s.DB, id)
}

// List lists every rule in evaluation order.
func (s Rules) List(ctx context.Context) ([]rules.Rule, error) { return supplydb.Rules(ctx, s.DB) }
