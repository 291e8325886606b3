// Package listing holds what the fleet-sized lists share: a total that
// stops counting past a threshold, and the search condition of ?q=.
package listing

import (
	"context"
	"fmt"
	"strings"

	"github.com/airlock-iot/airlock/internal/store"
)

// CountCap is where a list stops counting: past it, a count would cost
// more than the page it goes with, so the total becomes an estimate.
const CountCap = 10_000

// Total counts the rows of table that match where (with args), exactly up
// to CountCap. Past it, an unfiltered table is estimated from the engine's
// statistics; a filtered one answers CountCap, a lower bound. estimated
// says that the total is not exact.
func Total(ctx context.Context, db *store.DB, table, where string, args []any) (total int, estimated bool, err error) {
	q := fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM %s%s LIMIT %d) capped`, table, where, CountCap+1)
	if err := db.QueryRow(ctx, q, args...).Scan(&total); err != nil {
		return 0, false, store.WrapErr(err)
	}
	if total <= CountCap {
		return total, false, nil
	}
	if where != "" {
		return CountCap, true, nil
	}
	est, err := estimate(ctx, db, strings.Fields(table)[0])
	return max(est, CountCap), true, err
}

// estimate is the engine's idea of a table's size: PostgreSQL's planner
// statistics, or SQLite's largest rowid (rows deleted since still count).
func estimate(ctx context.Context, db *store.DB, table string) (int, error) {
	q := `SELECT COALESCE(MAX(rowid), 0) FROM ` + table
	var args []any
	if db.Engine == store.Postgres {
		q, args = `SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass`, []any{table}
	}
	var n int
	if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, store.WrapErr(err)
	}
	return n, nil
}

// Search is the condition that one of cols contains the text of
// parameter $param, ignoring case, and the pattern to bind to it.
func Search(db *store.DB, param int, q string, cols ...string) (cond string, pattern string) {
	op := "LIKE" // SQLite's LIKE ignores ASCII case already
	if db.Engine == store.Postgres {
		op = "ILIKE"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf(`%s %s $%d ESCAPE '\'`, c, op, param)
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	return "(" + strings.Join(parts, " OR ") + ")", "%" + esc + "%"
}
