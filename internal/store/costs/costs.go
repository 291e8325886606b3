// Package costs stores what content weighs (each inspected digest's
// platform images with their blobs), the global cost rules, each policy's
// cost limits and the approvers' releases of cost holds, and reads the
// rollout devices that cost is worked out for (issue 23).
package costs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/store"
)

// querier is a transaction or the database.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*store.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) store.Row
}

// PutContent records the platform images of digest, as Inspect read them.
func PutContent(ctx context.Context, tx *store.Tx, digest string, imgs []registry.Image) error {
	if imgs == nil {
		imgs = []registry.Image{}
	}
	b, err := json.Marshal(imgs)
	if err != nil {
		return fmt.Errorf("content of %s: %w", digest, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO content_sizes (digest, platforms, inspected_at) VALUES ($1, $2, $3)
		ON CONFLICT (digest) DO UPDATE SET platforms = $2, inspected_at = $3`, digest, string(b), tx.Now())
	return store.WrapErr(err)
}

// Content returns the platform images recorded for digest; nil when it was
// never inspected.
func Content(ctx context.Context, q querier, digest string) ([]registry.Image, error) {
	if digest == "" {
		return nil, nil
	}
	var raw string
	err := q.QueryRow(ctx, `SELECT platforms FROM content_sizes WHERE digest = $1`, digest).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, store.WrapErr(err)
	}
	var imgs []registry.Image
	if err := json.Unmarshal([]byte(raw), &imgs); err != nil {
		return nil, fmt.Errorf("content of %s: %w", digest, err)
	}
	return imgs, nil
}

// rulesKey is the setting holding the global cost rules.
const rulesKey = "cost_rules"

// Rules returns the global cost rules; none when never set.
func Rules(ctx context.Context, q querier) ([]cost.Rule, error) {
	var raw string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, rulesKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return []cost.Rule{}, nil
	}
	if err != nil {
		return nil, store.WrapErr(err)
	}
	return cost.ParseRules("cost_rules", []byte(raw))
}

// SetRules replaces the global cost rules.
func SetRules(ctx context.Context, tx *store.Tx, rules []cost.Rule) error {
	b, err := json.Marshal(rules)
	if err != nil {
		return fmt.Errorf("cost rules: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = $2`, rulesKey, string(b))
	if err != nil {
		return store.WrapErr(fmt.Errorf("cost rules: %w", err))
	}
	return tx.AddEvent(ctx, "cost.rules_set", "cost-rules", map[string]any{"cost_rules": rules})
}

// Limits returns policy id's cost limits; zero (none) when never set.
func Limits(ctx context.Context, q querier, policyID int64) (cost.Limits, error) {
	var l cost.Limits
	err := q.QueryRow(ctx, `SELECT max_download_bytes_per_device, max_rollout_cost FROM policy_cost_limits
		WHERE policy_id = $1`, policyID).Scan(&l.MaxDownloadBytesPerDevice, &l.MaxRolloutCost)
	if errors.Is(err, sql.ErrNoRows) {
		return cost.Limits{}, nil
	}
	return l, store.WrapErr(err)
}

// SetLimits replaces policy id's cost limits.
func SetLimits(ctx context.Context, tx *store.Tx, policyID int64, l cost.Limits) error {
	_, err := tx.Exec(ctx, `INSERT INTO policy_cost_limits (policy_id, max_download_bytes_per_device,
		max_rollout_cost, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (policy_id) DO UPDATE
		SET max_download_bytes_per_device = $2, max_rollout_cost = $3, updated_at = $4`,
		policyID, l.MaxDownloadBytesPerDevice, l.MaxRolloutCost, tx.Now())
	if err != nil {
		return store.WrapErr(fmt.Errorf("cost limits: %w", err))
	}
	return tx.AddEvent(ctx, "policy.cost_limits_set", fmt.Sprintf("policy/%d", policyID), l)
}

// HoldReleased reports whether an approver released release id's cost hold.
func HoldReleased(ctx context.Context, q querier, releaseID int64) (bool, error) {
	var at time.Time
	err := q.QueryRow(ctx, `SELECT released_at FROM cost_hold_releases WHERE release_id = $1`, releaseID).
		Scan((*store.TimeScan)(&at))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, store.WrapErr(err)
}

// ReleaseHold records that the transaction's actor released release id's
// cost hold, with the figures it was held on.
func ReleaseHold(ctx context.Context, tx *store.Tx, releaseID int64, figures string) error {
	_, err := tx.Exec(ctx, `INSERT INTO cost_hold_releases (release_id, released_by, figures, released_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (release_id) DO NOTHING`, releaseID, tx.Actor, figures, tx.Now())
	return store.WrapErr(err)
}

// Exists reports whether table (a constant, never input) has a row id.
func Exists(ctx context.Context, q querier, table string, id int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = $1`, id).Scan(&n)
	return n > 0, store.WrapErr(err)
}
