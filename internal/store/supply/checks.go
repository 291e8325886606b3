package supply

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
)

// SetCheck records the latest status of check name for digest.
func SetCheck(ctx context.Context, tx *store.Tx, digest, name string, c rules.Check) error {
	_, err := tx.Exec(ctx, `INSERT INTO release_checks (digest, name, status, url, summary, reported_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (digest, name) DO UPDATE SET status = $3, url = $4,
		summary = $5, reported_by = $6, updated_at = $7`, digest, name, c.Status, c.URL, c.Summary, tx.Actor, tx.Now())
	if err != nil {
		return store.WrapErr(fmt.Errorf("record check: %w", err))
	}
	return tx.AddEvent(ctx, "release.check_reported", "digest/"+digest, map[string]any{"digest": digest, "name": name,
		"status": c.Status, "url": c.URL, "summary": c.Summary})
}

// Checks returns the checks reported for digest, by name.
func Checks(ctx context.Context, db *store.DB, digest string) (map[string]rules.Check, error) {
	rows, err := db.Query(ctx, `SELECT name, status, url, summary FROM release_checks WHERE digest = $1`, digest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]rules.Check{}
	for rows.Next() {
		var name string
		var c rules.Check
		if err := rows.Scan(&name, &c.Status, &c.URL, &c.Summary); err != nil {
			return nil, err
		}
		out[name] = c
	}
	return out, store.WrapErr(rows.Err())
}
