package fleet

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const deviceCols = `uuid, name, labels, architecture, last_seen_at, created_at, platform`

func scanDevice(s store.Scanner) (airlock.Device, error) {
	var d airlock.Device
	var labels string
	var seen store.NullTime
	if err := s.Scan(&d.UUID, &d.Name, &labels, &d.Architecture, &seen, (*store.TimeScan)(&d.CreatedAt), &d.Platform); err != nil {
		return d, err
	}
	d.LastSeenAt = seen.Ptr()
	return d, json.Unmarshal([]byte(labels), &d.Labels)
}

func deviceSubject(uuid string) string { return "device/" + uuid }

// emptyTargetState is the state of a device nobody has told anything yet.
const emptyTargetState = `{"apps":{}}`

// CreateDevice inserts a device whose key hashes to keyHash, with an empty
// target state at version 0; a duplicate uuid is a conflict.
func CreateDevice(ctx context.Context, tx *store.Tx, d airlock.Device, keyHash string) (airlock.Device, error) {
	labels, err := json.Marshal(d.Labels)
	if err != nil {
		return d, fmt.Errorf("device labels: %w", err)
	}
	now := tx.Now()
	row := tx.QueryRow(ctx, `INSERT INTO devices (uuid, name, labels, architecture, platform, api_key_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING `+deviceCols,
		d.UUID, d.Name, string(labels), d.Architecture, d.Platform, keyHash, now)
	created, err := scanDevice(row)
	if err != nil {
		return created, store.NotFoundAs(err, airlock.ECONFLICT, "device %s already exists", d.UUID)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO device_target_state (device_uuid, version, state, updated_at)
		VALUES ($1, 0, $2, $3)`, d.UUID, emptyTargetState, now); err != nil {
		return created, fmt.Errorf("insert target state: %w", err)
	}
	return created, tx.AddEvent(ctx, "device.provisioned", deviceSubject(d.UUID), created)
}

// DeleteDevice removes a device and everything of it. Its target state and
// rollout entries have no foreign key on PostgreSQL (migration 00014), so
// they are deleted here; its reports go by cascade.
func DeleteDevice(ctx context.Context, tx *store.Tx, uuid string) error {
	var name string
	tx.DevicesChanged(uuid)
	for _, table := range []string{"rollout_devices", "device_target_apps", "device_target_state"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE device_uuid = $1`, uuid); err != nil {
			return fmt.Errorf("delete device %s from %s: %w", uuid, table, err)
		}
	}
	err := tx.QueryRow(ctx, `DELETE FROM devices WHERE uuid = $1 RETURNING name`, uuid).Scan(&name)
	if err != nil {
		return store.NotFound(err, "device %s not found", uuid)
	}
	return tx.AddEvent(ctx, "device.removed", deviceSubject(uuid), map[string]string{"uuid": uuid, "name": name})
}

// SetDeviceKey replaces a device's key; the old one stops working at once.
func SetDeviceKey(ctx context.Context, tx *store.Tx, uuid, keyHash string) (airlock.Device, error) {
	tx.DevicesChanged(uuid)
	d, err := scanDevice(tx.QueryRow(ctx, `UPDATE devices SET api_key_hash = $1 WHERE uuid = $2 RETURNING `+deviceCols, keyHash, uuid))
	if err != nil {
		return d, store.NotFound(err, "device %s not found", uuid)
	}
	return d, tx.AddEvent(ctx, "device.key_rotated", deviceSubject(uuid), map[string]string{"uuid": uuid})
}

// Device returns one device.
func Device(ctx context.Context, db *store.DB, uuid string) (airlock.Device, error) {
	d, err := scanDevice(db.QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE uuid = $1`, uuid))
	if err != nil {
		return d, store.NotFound(err, "device %s not found", uuid)
	}
	return d, nil
}

// DeviceRollouts lists the rollouts a device is part of, newest first.
func DeviceRollouts(ctx context.Context, db *store.DB, uuid string) ([]airlock.DeviceRollout, error) {
	rows, err := db.Query(ctx, `SELECT rd.rollout_id, r.status, rd.app, rd.batch, rd.status,
		rd.previous_image, rd.target_image, rd.updated_at
		FROM rollout_devices rd JOIN image_update_rollouts r ON r.id = rd.rollout_id
		WHERE rd.device_uuid = $1 ORDER BY rd.rollout_id DESC, rd.app LIMIT 100`, uuid)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (airlock.DeviceRollout, error) {
		var r airlock.DeviceRollout
		return r, s.Scan(&r.RolloutID, &r.RolloutStatus, &r.App, &r.Batch, &r.Status,
			&r.PreviousImage, &r.TargetImage, (*store.TimeScan)(&r.UpdatedAt))
	})
}
