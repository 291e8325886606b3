package rollouts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
)

// WatchedDevice is a device of a rollout as the monitor sees it: its
// tracking and, for a device in flight, its latest report (raw JSON) and
// when it was made, when made since its attempt began.
type WatchedDevice struct {
	DeviceUUID, App string
	Batch           int
	Status          string
	UpdatedAt       time.Time
	Track           rollout.Tracking
	Report          []byte
	ReportedAt      time.Time
}

// trackCols are the tracking columns of rollout_devices, in the order of
// trackScan.dest; times as text on SQLite, which a fleet-wide scan reads
// faster (see store.DB.TimeText).
func trackCols(db *store.DB) string {
	times := make([]string, 0, 6)
	for _, c := range []string{"started_at", "clock_from", "reported_at", "running_since", "first_healthy_at", "deferred_at"} {
		times = append(times, db.TimeText("rd."+c))
	}
	return "rd.attempts, " + strings.Join(times, ", ") + ", rd.restart_count, rd.message, rd.exit_code, rd.error"
}

// WatchDevices calls each for every device of a rollout, with the reports
// that can decide those in flight, as the rows come: a caller can work on
// them while the rest are read.
func WatchDevices(ctx context.Context, tx *store.Tx, id int64, each func(WatchedDevice)) error {
	rows, err := tx.Query(ctx, `SELECT rd.device_uuid, rd.app, rd.batch, rd.status, `+tx.DB().TimeText("rd.updated_at")+`, cs.state,
		`+tx.DB().TimeText("cs.reported_at")+`, `+trackCols(tx.DB())+` FROM rollout_devices rd LEFT JOIN device_current_state cs
			ON rd.status IN ('updating', 'baking', 'deferred') AND cs.device_uuid = rd.device_uuid
			AND cs.reported_at >= COALESCE(rd.started_at, rd.updated_at)
		WHERE rd.rollout_id = $1`, id)
	if err != nil {
		return fmt.Errorf("watch devices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var w WatchedDevice
		var at store.NullTime
		var tr trackScan
		dest := append([]any{&w.DeviceUUID, &w.App, &w.Batch, &w.Status, (*store.TimeScan)(&w.UpdatedAt), &w.Report, &at},
			tr.dest(&w.Track)...)
		if err := rows.Scan(dest...); err != nil {
			return store.WrapErr(err)
		}
		tr.fill(&w.Track)
		if t := at.Ptr(); t != nil {
			w.ReportedAt = *t
		} else {
			w.Report = nil
		}
		each(w)
	}
	return store.WrapErr(rows.Err())
}

// trackScan holds the nullable tracking columns while a row is scanned.
type trackScan struct {
	started, clock, reported, running, healthy, deferred store.NullTime
	exit                                                 sql.NullInt64
}

func (s *trackScan) dest(t *rollout.Tracking) []any {
	return []any{&t.Attempt, &s.started, &s.clock, &s.reported, &s.running, &s.healthy, &s.deferred, &t.Restarts,
		&t.Message, &s.exit, &t.Reason}
}

func (s *trackScan) fill(t *rollout.Tracking) {
	for _, f := range []struct {
		dst *time.Time
		src store.NullTime
	}{{&t.StartedAt, s.started}, {&t.ClockFrom, s.clock}, {&t.LastReportAt, s.reported}, {&t.RunningSince, s.running},
		{&t.HealthySince, s.healthy}, {&t.DeferredSince, s.deferred}} {
		if p := f.src.Ptr(); p != nil {
			*f.dst = *p
		}
	}
	if s.exit.Valid {
		code := int(s.exit.Int64)
		t.ExitCode = &code
	}
}

// Change is a device's new status and tracking, as internal/rollout decides.
type Change struct {
	DeviceUUID, App, Status string
	Batch                   int
	Track                   rollout.Tracking
}

// verdicts are the device statuses that record an outcome.
var verdicts = []string{rollout.DeviceSucceeded, rollout.DeviceFailed, rollout.DeviceTimedOut}

// trackRows is how many rows one SaveTracking statement writes; they go
// as one JSON parameter, which both engines bind far faster than the
// thousands of values the rows hold.
const trackRows = 1000

// SaveTracking writes each change of rollout id (whose image is target)
// whole. A change to succeeded, failed or timed out also records that
// verdict and when, kept whatever the status becomes later (rolled back,
// cancelled). The rows exist: each statement is an upsert of many rows, so
// that a tick judging a whole fleet is a few statements, not one a device.
func SaveTracking(ctx context.Context, tx *store.Tx, id int64, target string, changes []Change) error {
	now := tx.Now()
	from, elem := tx.DB().JSONRows(1)
	cols := make([]string, 17)
	for i, cast := range []string{"", "", "int", "", "", "int", "timestamptz", "timestamptz", "timestamptz", "timestamptz",
		"timestamptz", "timestamptz", "int", "", "int", "", "timestamptz"} {
		cols[i] = elem(i, cast)
	}
	q := `INSERT INTO rollout_devices (rollout_id, target_image, updated_at, device_uuid, app, batch, status, error, attempts,
		started_at, clock_from, reported_at, running_since, first_healthy_at, deferred_at, restart_count, message, exit_code,
		verdict, judged_at) SELECT $2, $3, $4, ` + strings.Join(cols, ", ") + ` FROM ` + from + ` WHERE true
		ON CONFLICT (rollout_id, device_uuid, app) DO UPDATE SET status = excluded.status, error = excluded.error,
		attempts = excluded.attempts, started_at = excluded.started_at, clock_from = excluded.clock_from,
		reported_at = excluded.reported_at, running_since = excluded.running_since,
		first_healthy_at = excluded.first_healthy_at, deferred_at = excluded.deferred_at,
		restart_count = excluded.restart_count, message = excluded.message, exit_code = excluded.exit_code,
		updated_at = excluded.updated_at,
		verdict = CASE WHEN excluded.verdict = '' THEN rollout_devices.verdict ELSE excluded.verdict END,
		judged_at = COALESCE(excluded.judged_at, rollout_devices.judged_at)`
	for chunk := range slices.Chunk(changes, trackRows) {
		rows := make([][]any, len(chunk))
		for i, c := range chunk {
			rows[i] = trackRow(tx.DB(), c, now)
		}
		list, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, string(list), id, target, now); err != nil {
			return fmt.Errorf("save device tracking: %w", err)
		}
	}
	return nil
}

// trackRow is the JSON row of a change, in the order of SaveTracking's
// columns after its parameters; times as the engine stores them.
func trackRow(db *store.DB, c Change, now time.Time) []any {
	t := c.Track
	var verdict, judged any = "", nil
	if slices.Contains(verdicts, c.Status) {
		verdict, judged = c.Status, db.JSONTime(now)
	}
	at := func(x time.Time) any {
		if x.IsZero() {
			return nil
		}
		return db.JSONTime(x)
	}
	return []any{c.DeviceUUID, c.App, c.Batch, c.Status, t.Reason, t.Attempt, at(t.StartedAt), at(t.ClockFrom),
		at(t.LastReportAt), at(t.RunningSince), at(t.HealthySince), at(t.DeferredSince), t.Restarts, t.Message, t.ExitCode,
		verdict, judged}
}

func null(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// StartDevices moves the named pending devices (uuid, app) to updating,
// their first attempt beginning now, and returns them, each with its
// previous image read from its target state now. A device whose target
// state no longer runs repository in that app is skipped instead. The
// caller gives the returned devices their target image.
func StartDevices(ctx context.Context, tx *store.Tx, id int64, keys [][2]string, repository string) ([]airlock.RolloutDevice, error) {
	byApp := map[string][]string{}
	for _, k := range keys {
		byApp[k[1]] = append(byApp[k[1]], k[0])
	}
	now := tx.Now()
	var out []airlock.RolloutDevice
	for app, uuids := range byApp {
		list, err := json.Marshal(uuids)
		if err != nil {
			return nil, err
		}
		in := `rollout_id = $1 AND app = $2 AND status = 'pending' AND device_uuid IN (` + tx.DB().JSONStrings(3) + `)`
		_, err = tx.Exec(ctx, `UPDATE rollout_devices SET status = 'skipped', updated_at = $4, error = $5
			WHERE `+in+` AND NOT EXISTS (SELECT 1 FROM device_target_apps a
				WHERE a.device_uuid = rollout_devices.device_uuid AND a.app = rollout_devices.app AND a.repository = $6)`,
			id, app, string(list), now, "its target state no longer runs "+repository+" in this app", repository)
		if err != nil {
			return nil, fmt.Errorf("skip gone devices: %w", err)
		}
		rows, err := tx.Query(ctx, `UPDATE rollout_devices SET status = 'updating', updated_at = $4, attempts = 1,
			started_at = $4, clock_from = $4, previous_image = COALESCE((SELECT a.image FROM device_target_apps a
				WHERE a.device_uuid = rollout_devices.device_uuid AND a.app = rollout_devices.app), previous_image)
			WHERE `+in+` RETURNING `+rolloutDeviceCols, id, app, string(list), now)
		if err != nil {
			return nil, fmt.Errorf("start devices: %w", err)
		}
		started, err := store.Collect(rows, scanRolloutDevice)
		if err != nil {
			return nil, err
		}
		out = append(out, started...)
	}
	return out, nil
}

// SetNextWindow records when the next maintenance window opens for a
// rollout waiting for one; nil clears it.
func SetNextWindow(ctx context.Context, tx *store.Tx, id int64, at *time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET next_window_at = $1 WHERE id = $2`, at, id); err != nil {
		return fmt.Errorf("record next window: %w", err)
	}
	return nil
}

// PolicyTiming returns the timing knobs of policy id as they are now, and
// false when the policy is gone.
func PolicyTiming(ctx context.Context, tx *store.Tx, id int64) (airlock.Timing, bool, error) {
	var t airlock.Timing
	var tm timingScan
	err := tx.QueryRow(ctx, `SELECT `+timingCols+` FROM image_update_policies WHERE id = $1`, id).Scan(tm.dest(&t)...)
	if err == sql.ErrNoRows {
		return t, false, nil
	}
	if err != nil {
		return t, false, store.WrapErr(err)
	}
	return t, true, tm.decode(&t)
}

// BatchTimes returns when each begun batch of rollout id started and completed.
func BatchTimes(ctx context.Context, db *store.DB, id int64) (map[int]airlock.BatchTimes, error) {
	rows, err := db.Query(ctx, `SELECT batch, started_at, completed_at FROM rollout_batches WHERE rollout_id = $1`, id)
	if err != nil {
		return nil, err
	}
	return collectBatchTimes(rows)
}

func collectBatchTimes(rows *store.Rows) (map[int]airlock.BatchTimes, error) {
	defer rows.Close()
	out := map[int]airlock.BatchTimes{}
	for rows.Next() {
		var b airlock.BatchTimes
		var started, completed store.NullTime
		if err := rows.Scan(&b.Batch, &started, &completed); err != nil {
			return nil, store.WrapErr(err)
		}
		b.StartedAt, b.CompletedAt = started.Ptr(), completed.Ptr()
		out[b.Batch] = b
	}
	return out, store.WrapErr(rows.Err())
}

// JoinRollout adds d, pending, to rollout id; its batch becomes the
// rollout's last. It reports false when d is in the rollout already.
func JoinRollout(ctx context.Context, tx *store.Tx, id int64, d airlock.RolloutDevice) (bool, error) {
	res, err := tx.Exec(ctx, `INSERT INTO rollout_devices (rollout_id, device_uuid, app, batch, previous_image, target_image,
		status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (rollout_id, device_uuid, app) DO NOTHING`,
		id, d.DeviceUUID, d.App, d.Batch, d.PreviousImage, d.TargetImage, d.Status, tx.Now())
	if err != nil {
		return false, fmt.Errorf("join rollout: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, store.WrapErr(err)
	}
	_, err = tx.Exec(ctx, `UPDATE image_update_rollouts SET total_devices = total_devices + 1, total_batches = $1
		WHERE id = $2`, d.Batch, id)
	if err != nil {
		return false, fmt.Errorf("grow rollout: %w", err)
	}
	return true, nil
}

// DeviceActive reports whether device uuid takes part in an active batch
// of a monitored rollout: in flight, or pending in the current or next batch.
func DeviceActive(ctx context.Context, db *store.DB, uuid string) (bool, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM rollout_devices rd JOIN image_update_rollouts r ON r.id = rd.rollout_id
		WHERE rd.device_uuid = $1 AND r.status IN `+store.Monitored+` AND (rd.status IN ('updating', 'baking', 'deferred')
			OR (rd.status = 'pending' AND rd.batch <= r.current_batch + 1))`, uuid).Scan(&n)
	return n > 0, store.WrapErr(err)
}
