package releases

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/store"
)

// DevicePlatforms returns the platform of every device whose target state
// runs repository: the one set or reported, else its architecture.
func DevicePlatforms(ctx context.Context, tx *store.Tx, repository string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT d.uuid, `+devicePlatform+`
		FROM devices d WHERE d.uuid IN (SELECT device_uuid FROM device_target_apps WHERE repository = $1)`, repository)
	if err != nil {
		return nil, fmt.Errorf("device platforms: %w", err)
	}
	return scanPlatforms(rows)
}

// scanPlatforms reads (uuid, platform) rows into a map.
func scanPlatforms(rows *store.Rows) (map[string]string, error) {
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var uuid, p string
		if err := rows.Scan(&uuid, &p); err != nil {
			return nil, store.WrapErr(err)
		}
		out[uuid] = p
	}
	return out, store.WrapErr(rows.Err())
}

// SetDevicePlatform records a device's platform, in OCI form.
func SetDevicePlatform(ctx context.Context, tx *store.Tx, uuid, platform string) error {
	if _, err := tx.Exec(ctx, `UPDATE devices SET platform = $1 WHERE uuid = $2`, platform, uuid); err != nil {
		return fmt.Errorf("set device platform: %w", err)
	}
	return nil
}

// Skipped is a device app left out of a rollout, and why.
type Skipped struct {
	UUID, App, PreviousImage, Reason string
}

// InsertSkipped records the devices a rollout leaves out, skipped with
// their reason, in no batch (0): the rollout never tells them to update.
func InsertSkipped(ctx context.Context, tx *store.Tx, rolloutID int64, target string, skipped []Skipped) error {
	if len(skipped) == 0 {
		return nil
	}
	rows := make([][]any, len(skipped))
	for i, s := range skipped {
		rows[i] = []any{s.UUID, s.App, s.PreviousImage, s.Reason}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	from, elem := tx.DB().JSONRows(4)
	_, err = tx.Exec(ctx, `INSERT INTO rollout_devices (rollout_id, device_uuid, app, batch, previous_image,
		target_image, status, error, skip_reason, updated_at) SELECT $1, `+elem(0, "")+`, `+elem(1, "")+`, 0, `+elem(2, "")+`,
		$2, 'skipped', `+elem(3, "")+`, `+elem(3, "")+`, $3 FROM `+from+` WHERE true ON CONFLICT DO NOTHING`,
		rolloutID, target, tx.Now(), string(list))
	if err != nil {
		return fmt.Errorf("insert skipped devices: %w", err)
	}
	return nil
}

// SkipReasons returns why the skipped devices of a rollout were left out, by device uuid.
func SkipReasons(ctx context.Context, q querier, rolloutID int64) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT device_uuid, skip_reason FROM rollout_devices
		WHERE rollout_id = $1 AND skip_reason <> ''`, rolloutID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var uuid, why string
		if err := rows.Scan(&uuid, &why); err != nil {
			return nil, store.WrapErr(err)
		}
		out[uuid] = why
	}
	return out, store.WrapErr(rows.Err())
}
