package rollouts

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/store"
)

// DeviceKey names a device's row in a rollout: the order UnsettledDevices
// reads them in.
type DeviceKey struct{ UUID, App string }

// unsettledStatuses are the device statuses settling ends: pending and in
// flight (rollout.Settle).
const unsettledStatuses = `('pending', 'updating', 'baking', 'deferred')`

// UnsettledDevices returns up to limit devices of rollout id still pending
// or in flight, after the device after, in key order, with their tracking
// (no report: settling does not read them). Reading on from the last key a
// caller settled keeps a rollout's settling linear in its devices.
func UnsettledDevices(ctx context.Context, tx *store.Tx, id int64, after DeviceKey, limit int) ([]WatchedDevice, error) {
	rows, err := tx.Query(ctx, `SELECT rd.device_uuid, rd.app, rd.batch, rd.status, `+tx.DB().TimeText("rd.updated_at")+`,
		`+trackCols(tx.DB())+` FROM rollout_devices rd
		WHERE rd.rollout_id = $1 AND (rd.device_uuid, rd.app) > ($2, $3) AND rd.status IN `+unsettledStatuses+`
		ORDER BY rd.device_uuid, rd.app LIMIT $4`, id, after.UUID, after.App, limit)
	if err != nil {
		return nil, fmt.Errorf("unsettled devices: %w", err)
	}
	return store.Collect(rows, func(s store.Scanner) (WatchedDevice, error) {
		var w WatchedDevice
		var tr trackScan
		err := s.Scan(append([]any{&w.DeviceUUID, &w.App, &w.Batch, &w.Status, (*store.TimeScan)(&w.UpdatedAt)},
			tr.dest(&w.Track)...)...)
		tr.fill(&w.Track)
		return w, err
	})
}

// SetUnsettled marks rollout id as having devices left to settle, or not.
func SetUnsettled(ctx context.Context, tx *store.Tx, id int64, unsettled bool) error {
	if _, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET unsettled = $1 WHERE id = $2`, unsettled, id); err != nil {
		return fmt.Errorf("mark rollout %d unsettled: %w", id, err)
	}
	return nil
}

// Unsettled returns the ids of the rollouts marked as having devices left
// to settle, oldest first: a planner settles them, and resumes them after
// a restart. The mark's index keeps this cheap however many rollouts ended.
func Unsettled(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM image_update_rollouts WHERE unsettled ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("unsettled rollouts: %w", err)
	}
	return store.Collect(rows, func(s store.Scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}
