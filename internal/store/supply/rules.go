// Package supply is the SQL of the supply-chain evidence: rules, scan
// reports and CI checks per digest, and the decisions of approval requests.
package supply

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
)

const ruleCols = `id, spec`

func scanRule(s store.Scanner) (rules.Rule, error) {
	var r rules.Rule
	var id int64
	var spec string
	if err := s.Scan(&id, &spec); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(spec), &r); err != nil {
		return r, fmt.Errorf("rule %d: %w", id, err)
	}
	r.ID = id
	return r, nil
}

func ruleSubject(id int64) string { return fmt.Sprintf("rule/%d", id) }

// spec is the rule as stored: its JSON without the id.
func spec(r rules.Rule) (string, error) {
	r.ID = 0
	b, err := json.Marshal(r)
	return string(b), err
}

// CreateRule stores a validated rule; a name taken already is a conflict.
func CreateRule(ctx context.Context, tx *store.Tx, r rules.Rule) (rules.Rule, error) {
	s, err := spec(r)
	if err != nil {
		return r, err
	}
	now := tx.Now()
	err = tx.QueryRow(ctx, `INSERT INTO supply_rules (name, image_pattern, kind, mode, spec, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, r.Name, r.ImagePattern, r.Kind, r.Mode, s, now).Scan(&r.ID)
	if store.IsUnique(err) {
		return r, airlock.Errorf(airlock.ECONFLICT, "a rule named %q exists already", r.Name)
	}
	if err != nil {
		return r, store.WrapErr(fmt.Errorf("insert rule: %w", err))
	}
	return r, tx.AddEvent(ctx, "rule.created", ruleSubject(r.ID), r)
}

// UpdateRule replaces rule r.ID with r.
func UpdateRule(ctx context.Context, tx *store.Tx, r rules.Rule) (rules.Rule, error) {
	s, err := spec(r)
	if err != nil {
		return r, err
	}
	res, err := tx.Exec(ctx, `UPDATE supply_rules SET name = $1, image_pattern = $2, kind = $3, mode = $4, spec = $5,
		updated_at = $6 WHERE id = $7`, r.Name, r.ImagePattern, r.Kind, r.Mode, s, tx.Now(), r.ID)
	if store.IsUnique(err) {
		return r, airlock.Errorf(airlock.ECONFLICT, "a rule named %q exists already", r.Name)
	}
	if err != nil {
		return r, store.WrapErr(fmt.Errorf("update rule: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return r, airlock.Errorf(airlock.ENOTFOUND, "rule %d not found", r.ID)
	}
	return r, tx.AddEvent(ctx, "rule.updated", ruleSubject(r.ID), r)
}

// DeleteRule removes a rule.
func DeleteRule(ctx context.Context, tx *store.Tx, id int64) error {
	var name string
	err := tx.QueryRow(ctx, `DELETE FROM supply_rules WHERE id = $1 RETURNING name`, id).Scan(&name)
	if err != nil {
		return store.NotFound(err, "rule %d not found", id)
	}
	return tx.AddEvent(ctx, "rule.deleted", ruleSubject(id), map[string]any{"name": name})
}

// RuleForUpdate reads a rule inside the transaction, locking it.
func RuleForUpdate(ctx context.Context, tx *store.Tx, id int64) (rules.Rule, error) {
	r, err := scanRule(tx.QueryRow(ctx, `SELECT `+ruleCols+` FROM supply_rules WHERE id = $1`+tx.ForUpdate(), id))
	return r, store.NotFound(err, "rule %d not found", id)
}

// Rule reads one rule.
func Rule(ctx context.Context, db *store.DB, id int64) (rules.Rule, error) {
	r, err := scanRule(db.QueryRow(ctx, `SELECT `+ruleCols+` FROM supply_rules WHERE id = $1`, id))
	return r, store.NotFound(err, "rule %d not found", id)
}

// Rules lists every rule in id order, the order they are evaluated in.
func Rules(ctx context.Context, db *store.DB) ([]rules.Rule, error) {
	rows, err := db.Query(ctx, `SELECT `+ruleCols+` FROM supply_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanRule)
}

// RulesTx is Rules inside a transaction.
func RulesTx(ctx context.Context, tx *store.Tx) ([]rules.Rule, error) {
	rows, err := tx.Query(ctx, `SELECT `+ruleCols+` FROM supply_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanRule)
}
