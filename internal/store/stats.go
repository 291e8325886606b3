package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/rollout"
)

// Stats are the counts /metrics reports, computed when it is scraped.
type Stats struct {
	Rollouts         map[string]int // by status
	RolloutDevices   map[string]int // devices of unfinished rollouts, by status
	PendingApprovals int
}

// Stats counts rollouts, the devices of unfinished rollouts and pending approval requests.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var err error
	if s.Rollouts, err = db.countBy(ctx, `SELECT status, COUNT(*) FROM image_update_rollouts GROUP BY status`); err != nil {
		return s, err
	}
	if s.RolloutDevices, err = db.countBy(ctx, `SELECT d.status, COUNT(*) FROM rollout_devices d
		JOIN image_update_rollouts r ON r.id = d.rollout_id
		WHERE r.status IN `+Unfinished+` GROUP BY d.status`); err != nil {
		return s, err
	}
	err = db.QueryRow(ctx, `SELECT COUNT(*) FROM image_approval_requests WHERE status = 'pending'`).Scan(&s.PendingApprovals)
	return s, WrapErr(err)
}

func (db *DB) countBy(ctx context.Context, q string) (map[string]int, error) {
	rows, err := db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, WrapErr(err)
		}
		out[k] = n
	}
	return out, WrapErr(rows.Err())
}

// The rollout status sets the SQL of store and its sub-packages names, from internal/rollout's
// rules: Unfinished is every status that is not terminal, and the monitor
// advances the unfinished rollouts that have begun (planning has not: the
// planner owns it until it is planned).
var (
	Unfinished = sqlList(slices.DeleteFunc(slices.Clone(rollout.Statuses), rollout.Terminal))
	Monitored  = sqlList(slices.DeleteFunc(slices.Clone(rollout.Statuses), func(s string) bool {
		return rollout.Terminal(s) || s == rollout.StatusPending || s == rollout.StatusPlanning
	}))
)

// sqlList renders values as a SQL list, ('a', 'b'). They are Go constants,
// never input, so they are written into the statement as they are.
func sqlList(values []string) string {
	return "('" + strings.Join(values, "', '") + "')"
}
