package rollouts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

// PlanState is a planning rollout's progress, stored on its row so that a
// planner resumes it after a crash. Cursor is the last target app read;
// LastDevice the last device given a rollout_devices row, Planned how many
// devices were, Launched how many of them batch one started. Estimated is
// the device count batches are sized by; nil until counted.
type PlanState struct {
	Filter                            airlock.DeviceSelector
	CursorUUID, CursorApp, LastDevice string
	Planned, Launched                 int
	Estimated                         *int
}

// StartPlanning records the device filter a planning rollout plans with.
func StartPlanning(ctx context.Context, tx *store.Tx, id int64, filter airlock.DeviceSelector) error {
	b, err := json.Marshal(filter)
	if err != nil {
		return fmt.Errorf("plan filter: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET plan_filter = $1 WHERE id = $2`, string(b), id); err != nil {
		return fmt.Errorf("start planning: %w", err)
	}
	return nil
}

// LoadPlan reads rollout id's plan state; the caller holds the row's lock
// (RolloutForUpdate), so that two planners cannot plan the same chunk.
func LoadPlan(ctx context.Context, tx *store.Tx, id int64) (PlanState, error) {
	var st PlanState
	var filter string
	var estimated sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT plan_filter, plan_cursor_uuid, plan_cursor_app, plan_last_device, planned_devices,
		plan_launched, estimated_devices FROM image_update_rollouts WHERE id = $1`, id).
		Scan(&filter, &st.CursorUUID, &st.CursorApp, &st.LastDevice, &st.Planned, &st.Launched, &estimated)
	if err != nil {
		return st, store.NotFound(err, "rollout %d not found", id)
	}
	if estimated.Valid {
		n := int(estimated.Int64)
		st.Estimated = &n
	}
	if filter != "" {
		if err := json.Unmarshal([]byte(filter), &st.Filter); err != nil {
			return st, fmt.Errorf("plan filter of rollout %d: %w", id, err)
		}
	}
	return st, nil
}

// SavePlan stores st's progress (not its filter) on rollout id.
func SavePlan(ctx context.Context, tx *store.Tx, id int64, st PlanState) error {
	var estimated any
	if st.Estimated != nil {
		estimated = *st.Estimated
	}
	_, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET plan_cursor_uuid = $1, plan_cursor_app = $2,
		plan_last_device = $3, planned_devices = $4, plan_launched = $5, estimated_devices = $6 WHERE id = $7`,
		st.CursorUUID, st.CursorApp, st.LastDevice, st.Planned, st.Launched, estimated, id)
	if err != nil {
		return fmt.Errorf("save plan of rollout %d: %w", id, err)
	}
	return nil
}

// AddPlannedDevices inserts a chunk of a planning rollout's devices, each
// with its batch and status.
func AddPlannedDevices(ctx context.Context, tx *store.Tx, id int64, devices []airlock.RolloutDevice) error {
	return insertRolloutDevices(ctx, tx, id, devices)
}

// SetPlanned records a planned rollout's totals: its batches, and its
// devices (rows, one per app) as counted.
func SetPlanned(ctx context.Context, tx *store.Tx, id int64, batches int) error {
	_, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET total_batches = $1,
		total_devices = (SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = $2) WHERE id = $3`, batches, id, id)
	if err != nil {
		return fmt.Errorf("set rollout %d planned: %w", id, err)
	}
	return nil
}

// PlanningRollouts returns the ids of the rollouts still planning, oldest
// first: a planner resumes them after a restart.
func PlanningRollouts(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM image_update_rollouts WHERE status = 'planning' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("planning rollouts: %w", err)
	}
	return store.Collect(rows, func(s store.Scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}

// AnalyzePlanned refreshes PostgreSQL's statistics of rollout_devices once
// a large rollout is planned. Autovacuum may take minutes to, and until it
// does the query planner believes a rollout has a few thousand rows: the
// monitor's look-ups of a few hundred devices by primary key then scan the
// whole rollout instead (44 ms a look-up at 200k devices, against 0.7 ms).
// SQLite's planner keeps no such statistics.
func AnalyzePlanned(ctx context.Context, db *store.DB) error {
	if db.Engine != store.Postgres {
		return nil
	}
	if _, err := db.Exec(ctx, `ANALYZE rollout_devices`); err != nil {
		return fmt.Errorf("analyze rollout devices: %w", err)
	}
	return nil
}
