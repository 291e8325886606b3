package rollouts

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/store"
)

// Mark is what the monitor's last step of a rollout left for the next
// tick to decide whether it must step again.
type Mark struct {
	DueAt    time.Time // when it needs a step without a new report; zero: never
	JudgedAt time.Time // when that step judged it; zero: never judged
	Key      string    // the rollout state it judged
}

// MonitorMark returns the mark of rollout id.
func MonitorMark(ctx context.Context, tx *store.Tx, id int64) (Mark, error) {
	var m Mark
	var due, judged store.NullTime
	err := tx.QueryRow(ctx, `SELECT monitor_due_at, monitor_judged_at, monitor_key FROM image_update_rollouts
		WHERE id = $1`, id).Scan(&due, &judged, &m.Key)
	if err != nil {
		return m, fmt.Errorf("read monitor mark: %w", store.WrapErr(err))
	}
	if t := due.Ptr(); t != nil {
		m.DueAt = *t
	}
	if t := judged.Ptr(); t != nil {
		m.JudgedAt = *t
	}
	return m, nil
}

// SetMonitorMark records the mark of rollout id.
func SetMonitorMark(ctx context.Context, tx *store.Tx, id int64, m Mark) error {
	_, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET monitor_due_at = $1, monitor_judged_at = $2, monitor_key = $3
		WHERE id = $4`, null(m.DueAt), null(m.JudgedAt), m.Key, id)
	if err != nil {
		return fmt.Errorf("record monitor mark: %w", err)
	}
	return nil
}

// ReportedSince reports whether a device in flight in rollout id reported
// after since. It reads the reports made since by their index, in time
// order (a plan no engine's guess of the tables' sizes changes), then
// looks those devices up in the rollout: never the rollout's whole fleet.
// Past newReportsRead reports it answers yes without looking.
func ReportedSince(ctx context.Context, tx *store.Tx, id int64, since time.Time) (bool, error) {
	rows, err := tx.Query(ctx, `SELECT device_uuid FROM device_current_state WHERE reported_at > $1
		ORDER BY reported_at LIMIT $2`, since, newReportsRead)
	if err != nil {
		return false, fmt.Errorf("read new reports: %w", err)
	}
	uuids, err := store.Collect(rows, func(s store.Scanner) (string, error) {
		var u string
		return u, s.Scan(&u)
	})
	if err != nil || len(uuids) == 0 || len(uuids) == newReportsRead {
		return len(uuids) > 0, err
	}
	for chunk := range slices.Chunk(uuids, newReportsChunk) {
		if found, err := inFlightAmong(ctx, tx, id, chunk); err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// inFlightAmong reports whether one of the devices uuids is in flight in
// rollout id, looking each up by the primary key: on PostgreSQL, once the
// statistics know the rollout's size (AnalyzePlanned).
func inFlightAmong(ctx context.Context, tx *store.Tx, id int64, uuids []string) (bool, error) {
	args := make([]any, 0, len(uuids)+1)
	args = append(args, id)
	for _, u := range uuids {
		args = append(args, u)
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = $1
		AND device_uuid IN (`+tx.DB().ParamList(2, len(uuids))+`) AND status IN ('updating', 'baking', 'deferred')`,
		args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for new reports: %w", store.WrapErr(err))
	}
	return n > 0, nil
}

// newReportsChunk is how many devices one statement of inFlightAmong looks up.
const newReportsChunk = 500

// newReportsRead bounds the reports ReportedSince reads: reading them and
// looking them up costs a few tens of milliseconds, a step over a large
// rollout seconds.
const newReportsRead = 50_000

// DevicesRemovedSince reports whether a device was deleted from the fleet
// after since: its rollout rows go with it, by cascade, which may end a
// batch. The removals are rare, and found by their event.
func DevicesRemovedSince(ctx context.Context, tx *store.Tx, since time.Time) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE type = 'device.removed' AND created_at > $1`, since).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for removed devices: %w", store.WrapErr(err))
	}
	return n > 0, nil
}
