package rollouts

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const policyCols = `id, image_pattern, tag_constraint, update_strategy, batch_size, batch_percent,
	batch_delay_seconds, batch_delay_minutes, canary_size, health_check_timeout_seconds, failure_threshold_percent,
	min_devices_for_threshold, auto_rollback, device_filter, enabled, description, created_at, updated_at,
	require_all_platforms, allow_downgrade, ` + timingCols + `, mirror`

func scanPolicy(s store.Scanner) (airlock.Policy, error) {
	var p airlock.Policy
	var filter string
	var tm timingScan
	err := s.Scan(append([]any{&p.ID, &p.ImagePattern, &p.TagConstraint, &p.UpdateStrategy, &p.BatchSize, &p.BatchPercent,
		&p.BatchDelaySeconds, &p.BatchDelayMinutes, &p.CanarySize, &p.HealthCheckTimeoutSeconds, &p.FailureThresholdPercent,
		&p.MinDevicesForThreshold, &p.AutoRollback, &filter, &p.Enabled, &p.Description,
		(*store.TimeScan)(&p.CreatedAt), (*store.TimeScan)(&p.UpdatedAt), &p.RequireAllPlatforms, &p.AllowDowngrade},
		append(tm.dest(&p.Timing), &p.Mirror)...)...)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(filter), &p.DeviceFilter); err != nil {
		return p, fmt.Errorf("policy %d device_filter: %w", p.ID, err)
	}
	if err := tm.decode(&p.Timing); err != nil {
		return p, fmt.Errorf("policy %d: %w", p.ID, err)
	}
	return p, nil
}

func policySubject(id int64) string { return fmt.Sprintf("policy/%d", id) }

// policyArgs are the writable columns of p, in policyCols order after id.
func policyArgs(p airlock.Policy) ([]any, error) {
	filter, err := json.Marshal(p.DeviceFilter)
	if err != nil {
		return nil, fmt.Errorf("device_filter: %w", err)
	}
	timing, err := timingArgs(p.Timing)
	if err != nil {
		return nil, err
	}
	return append([]any{p.ImagePattern, p.TagConstraint, p.UpdateStrategy, p.BatchSize, p.BatchPercent,
		p.BatchDelaySeconds, p.BatchDelayMinutes, p.CanarySize, p.HealthCheckTimeoutSeconds, p.FailureThresholdPercent,
		p.MinDevicesForThreshold, p.AutoRollback, string(filter), p.Enabled, p.Description,
		p.RequireAllPlatforms, p.AllowDowngrade}, append(timing, p.Mirror)...), nil
}

// CreatePolicy inserts a validated policy.
func CreatePolicy(ctx context.Context, tx *store.Tx, p airlock.Policy) (airlock.Policy, error) {
	args, err := policyArgs(p)
	if err != nil {
		return p, err
	}
	created, err := scanPolicy(tx.QueryRow(ctx, `INSERT INTO image_update_policies (image_pattern, tag_constraint,
		update_strategy, batch_size, batch_percent, batch_delay_seconds, batch_delay_minutes, canary_size,
		health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback,
		device_filter, enabled, description, require_all_platforms, allow_downgrade, `+timingCols+`, mirror, created_at,
		updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		$22, $23, $24, $25, $26, $27, $28, $28) RETURNING `+policyCols, append(args, tx.Now())...))
	if err != nil {
		return created, store.WrapErr(fmt.Errorf("insert policy: %w", err))
	}
	return created, tx.AddEvent(ctx, "image.policy_created", policySubject(created.ID), created)
}

// PolicyForUpdate reads a policy inside the transaction, locking it.
func PolicyForUpdate(ctx context.Context, tx *store.Tx, id int64) (airlock.Policy, error) {
	p, err := scanPolicy(tx.QueryRow(ctx, `SELECT `+policyCols+` FROM image_update_policies WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return p, store.NotFound(err, "policy %d not found", id)
	}
	return p, nil
}

// UpdatePolicy writes every writable field of a validated policy.
func UpdatePolicy(ctx context.Context, tx *store.Tx, p airlock.Policy) (airlock.Policy, error) {
	args, err := policyArgs(p)
	if err != nil {
		return p, err
	}
	updated, err := scanPolicy(tx.QueryRow(ctx, `UPDATE image_update_policies SET image_pattern = $1,
		tag_constraint = $2, update_strategy = $3, batch_size = $4, batch_percent = $5, batch_delay_seconds = $6,
		batch_delay_minutes = $7, canary_size = $8, health_check_timeout_seconds = $9, failure_threshold_percent = $10,
		min_devices_for_threshold = $11, auto_rollback = $12, device_filter = $13, enabled = $14, description = $15,
		require_all_platforms = $16, allow_downgrade = $17,
		health_grace_seconds = $18, bake_seconds = $19, max_retries = $20, retry_backoff_seconds = $21,
		defer_timeout_seconds = $22, maintenance_windows = $23, max_devices_per_minute = $24, ramp = $25,
		include_new_devices = $26, mirror = $27, updated_at = $28 WHERE id = $29 RETURNING `+policyCols, append(args, tx.Now(), p.ID)...))
	if err != nil {
		return updated, store.NotFound(err, "policy %d not found", p.ID)
	}
	return updated, tx.AddEvent(ctx, "image.policy_updated", policySubject(p.ID), updated)
}

// DeletePolicy removes a policy; its rollouts stay, with no policy_id.
func DeletePolicy(ctx context.Context, tx *store.Tx, id int64) error {
	p, err := PolicyForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM image_update_policies WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete policy: %w", err)
	}
	return tx.AddEvent(ctx, "image.policy_deleted", policySubject(id), p)
}

// AllPolicies returns every policy inside the transaction, by id.
func AllPolicies(ctx context.Context, tx *store.Tx) ([]airlock.Policy, error) {
	rows, err := tx.Query(ctx, `SELECT `+policyCols+` FROM image_update_policies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanPolicy)
}

// Policy returns one policy.
func Policy(ctx context.Context, db *store.DB, id int64) (airlock.Policy, error) {
	p, err := scanPolicy(db.QueryRow(ctx, `SELECT `+policyCols+` FROM image_update_policies WHERE id = $1`, id))
	if err != nil {
		return p, store.NotFound(err, "policy %d not found", id)
	}
	return p, nil
}

// Policies lists policies by id, optionally only enabled or disabled ones,
// with the total before paging.
func Policies(ctx context.Context, db *store.DB, enabled *bool, limit, offset int) ([]airlock.Policy, int, error) {
	where, args := "", []any{}
	if enabled != nil {
		where, args = " WHERE enabled = $1", append(args, *enabled)
	}
	var total int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM image_update_policies`+where, args...).Scan(&total); err != nil {
		return nil, 0, store.WrapErr(err)
	}
	n := len(args)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM image_update_policies%s ORDER BY id LIMIT $%d OFFSET $%d`,
		policyCols, where, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	items, err := store.Collect(rows, scanPolicy)
	return items, total, err
}
