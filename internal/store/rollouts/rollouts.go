package rollouts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
)

const rolloutCols = `id, policy_id, registry, namespace, image_name, tag, digest, update_strategy, batch_size,
	batch_percent, batch_delay_seconds, canary_size, health_check_timeout_seconds, failure_threshold_percent,
	min_devices_for_threshold, auto_rollback, status, current_batch, total_batches, total_devices, trigger, reason,
	created_at, started_at, batch_started_at, batch_done_at, completed_at, start_at, end_at, next_window_at, ` + timingCols + `,
	device_image, planned_devices, estimated_devices`

func scanRollout(s store.Scanner) (airlock.Rollout, error) {
	var r airlock.Rollout
	var started, batchStarted, batchDone, completed, startAt, endAt, nextWindow store.NullTime
	var tm timingScan
	var deviceImage string
	var plan airlock.PlanProgress
	var estimated sql.NullInt64
	err := s.Scan(append([]any{&r.ID, &r.PolicyID, &r.Registry, &r.Namespace, &r.ImageName, &r.Tag, &r.Digest, &r.UpdateStrategy,
		&r.BatchSize, &r.BatchPercent, &r.BatchDelaySeconds, &r.CanarySize, &r.HealthCheckTimeoutSeconds,
		&r.FailureThresholdPercent, &r.MinDevicesForThreshold, &r.AutoRollback, &r.Status, &r.CurrentBatch,
		&r.TotalBatches, &r.TotalDevices, &r.Trigger, &r.Reason, (*store.TimeScan)(&r.CreatedAt),
		&started, &batchStarted, &batchDone, &completed, &startAt, &endAt, &nextWindow}, append(tm.dest(&r.Timing), &deviceImage, &plan.Planned, &estimated)...)...)
	r.StartedAt, r.BatchStartedAt, r.BatchDoneAt, r.CompletedAt = started.Ptr(), batchStarted.Ptr(), batchDone.Ptr(), completed.Ptr()
	r.StartAt, r.EndAt, r.NextWindowAt = startAt.Ptr(), endAt.Ptr(), nextWindow.Ptr()
	r.Image = imageString(r)
	if deviceImage != "" {
		r.Image = deviceImage // a mirror's copy, same digest
	}
	if r.Status == rollout.StatusPlanning {
		if estimated.Valid {
			n := int(estimated.Int64)
			plan.Estimated = &n
		}
		r.Planning = &plan
	}
	if err == nil {
		err = tm.decode(&r.Timing)
	}
	return r, err
}

// imageString is the normalised reference of a rollout's image, as
// imageref.Ref.String spells it.
func imageString(r airlock.Rollout) string {
	s := r.Registry + "/" + r.ImageName
	if r.Namespace != "" {
		s = r.Registry + "/" + r.Namespace + "/" + r.ImageName
	}
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// deviceImage is what is stored of r.Image: "" when it is the image's own
// reference, else the reference devices are sent instead (a mirror's copy).
func deviceImage(r airlock.Rollout) string {
	if r.Image == "" || r.Image == imageString(r) {
		return ""
	}
	return r.Image
}

// given lists the device statuses of devices that were given the new image.
const given = `('updating', 'baking', 'deferred', 'succeeded', 'failed', 'timed_out', 'cancelled')`

// LockRepository serialises, on PostgreSQL, the transactions that create
// rollouts of one repository, so that concurrent pushes of two tags cannot
// both leave a rollout unfinished. SQLite has a single writer already.
func LockRepository(ctx context.Context, tx *store.Tx, repository string) error {
	if tx.DB().Engine != store.Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("airlock-rollout:" + repository))
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()))
	if err != nil {
		return fmt.Errorf("lock repository: %w", err)
	}
	return nil
}

// CreateRollout inserts a rollout and its devices, each with its status.
// Callers hold the repository's lock (LockRepository) and have looked for
// an unfinished rollout of the same content (RolloutByImage).
func CreateRollout(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []airlock.RolloutDevice) (airlock.Rollout, error) {
	timing, err := timingArgs(r.Timing)
	if err != nil {
		return r, err
	}
	created, err := scanRollout(tx.QueryRow(ctx, `INSERT INTO image_update_rollouts (policy_id, registry, namespace,
		image_name, tag, digest, update_strategy, batch_size, batch_percent, batch_delay_seconds, canary_size,
		health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback, status,
		current_batch, total_batches, total_devices, trigger, reason, created_at, start_at, end_at, `+timingCols+`,
		device_image) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33) RETURNING `+rolloutCols,
		append([]any{r.PolicyID, r.Registry, r.Namespace, r.ImageName, r.Tag, r.Digest, r.UpdateStrategy, r.BatchSize, r.BatchPercent,
			r.BatchDelaySeconds, r.CanarySize, r.HealthCheckTimeoutSeconds, r.FailureThresholdPercent, r.MinDevicesForThreshold,
			r.AutoRollback, r.Status, r.TotalBatches, r.TotalDevices, r.Trigger, r.Reason, tx.Now(), r.StartAt, r.EndAt},
			append(timing, deviceImage(r))...)...))
	if err != nil {
		return created, store.WrapErr(fmt.Errorf("insert rollout: %w", err))
	}
	return created, insertRolloutDevices(ctx, tx, created.ID, devices)
}

func insertRolloutDevices(ctx context.Context, tx *store.Tx, id int64, devices []airlock.RolloutDevice) error {
	if len(devices) == 0 {
		return nil
	}
	// A device inserted updating starts its first attempt now, tracked as
	// StartDevices tracks one: the monitor's first tick then has nothing
	// to write for it, rather than every device of a fleet launched at once.
	now := tx.DB().JSONTime(tx.Now())
	rows := make([][]any, len(devices))
	for i, d := range devices {
		var started any
		if d.Status == rollout.DeviceUpdating {
			started = now
		}
		rows[i] = []any{d.DeviceUUID, d.App, d.Batch, d.PreviousImage, d.Status, started}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	from, elem := tx.DB().JSONRows(4)
	_, err = tx.Exec(ctx, `INSERT INTO rollout_devices (rollout_id, device_uuid, app, batch, previous_image,
		target_image, status, updated_at, attempts, started_at, clock_from) SELECT $1, `+elem(0, "")+`, `+elem(1, "")+`,
		`+elem(2, "int")+`, `+elem(3, "")+`, $2, `+elem(4, "")+`, $3, CASE WHEN `+elem(5, "")+` IS NULL THEN 0 ELSE 1 END,
		`+elem(5, "timestamptz")+`, `+elem(5, "timestamptz")+` FROM `+from, id, devices[0].TargetImage, tx.Now(), string(list))
	if err != nil {
		return fmt.Errorf("insert rollout devices: %w", err)
	}
	return nil
}

// RolloutByImage returns the unfinished rollout of r's image, tag and
// digest. Finished ones do not count: content rolled back and cleared, or
// pushed again to devices that left it, may be rolled out again.
func RolloutByImage(ctx context.Context, tx *store.Tx, r airlock.Rollout) (airlock.Rollout, error) {
	got, err := scanRollout(tx.QueryRow(ctx, `SELECT `+rolloutCols+` FROM image_update_rollouts
		WHERE registry = $1 AND namespace = $2 AND image_name = $3 AND tag = $4 AND digest = $5
		AND status IN `+store.Unfinished+` ORDER BY id DESC LIMIT 1`,
		r.Registry, r.Namespace, r.ImageName, r.Tag, r.Digest))
	if err != nil {
		return got, store.NotFound(err, "no rollout of %s", imageString(r))
	}
	return got, nil
}

// RolloutForUpdate reads a rollout inside the transaction, locking it.
func RolloutForUpdate(ctx context.Context, tx *store.Tx, id int64) (airlock.Rollout, error) {
	r, err := scanRollout(tx.QueryRow(ctx, `SELECT `+rolloutCols+` FROM image_update_rollouts WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return r, store.NotFound(err, "rollout %d not found", id)
	}
	return r, nil
}

// Transition is one change of a rollout's status.
type Transition struct {
	From, To string
	Reason   string // kept when empty
	Start    bool   // set started_at if unset
	Finish   bool   // set completed_at
}

// TransitionRollout moves rollout id from t.From to t.To. The update is
// conditional on the status, so a change made meanwhile by a concurrent
// caller makes it a conflict instead of a lost update.
func TransitionRollout(ctx context.Context, tx *store.Tx, id int64, t Transition) (airlock.Rollout, error) {
	set, args := []string{"status = $1"}, []any{t.To, id, t.From}
	add := func(col, expr string, v any) {
		args = append(args, v)
		set = append(set, fmt.Sprintf(col+" = "+expr, len(args)))
	}
	if t.Reason != "" {
		add("reason", "$%d", t.Reason)
	}
	if t.Start {
		add("started_at", "COALESCE(started_at, $%d)", tx.Now())
	}
	if t.Finish {
		add("completed_at", "$%d", tx.Now())
	}
	r, err := scanRollout(tx.QueryRow(ctx, `UPDATE image_update_rollouts SET `+strings.Join(set, ", ")+`
		WHERE id = $2 AND status = $3 RETURNING `+rolloutCols, args...))
	if err != nil {
		return r, store.NotFoundAs(err, airlock.ECONFLICT, "rollout %d is no longer %s", id, t.From)
	}
	return r, nil
}

// AdvanceBatch makes batch from+1 the current batch of an in-progress
// rollout whose current batch is from.
func AdvanceBatch(ctx context.Context, tx *store.Tx, id int64, from int) (airlock.Rollout, error) {
	r, err := scanRollout(tx.QueryRow(ctx, `UPDATE image_update_rollouts SET current_batch = $1, batch_started_at = $2,
		batch_done_at = NULL WHERE id = $3 AND current_batch = $4 AND status = 'in_progress' RETURNING `+rolloutCols,
		from+1, tx.Now(), id, from))
	if err != nil {
		return r, store.NotFoundAs(err, airlock.ECONFLICT, "rollout %d is not in progress at batch %d", id, from)
	}
	_, err = tx.Exec(ctx, `INSERT INTO rollout_batches (rollout_id, batch, started_at) VALUES ($1, $2, $3)
		ON CONFLICT (rollout_id, batch) DO NOTHING`, id, from+1, tx.Now())
	if err != nil {
		return r, fmt.Errorf("record batch start: %w", err)
	}
	return r, nil
}

// MarkBatchDone records when the current batch finished; it reports false
// when that was recorded already.
func MarkBatchDone(ctx context.Context, tx *store.Tx, id int64, batch int) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET batch_done_at = $1
		WHERE id = $2 AND current_batch = $3 AND batch_done_at IS NULL`, tx.Now(), id, batch)
	if err != nil {
		return false, fmt.Errorf("mark batch done: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n != 1 {
		return false, store.WrapErr(err)
	}
	_, err = tx.Exec(ctx, `UPDATE rollout_batches SET completed_at = $1 WHERE rollout_id = $2 AND batch = $3`, tx.Now(), id, batch)
	if err != nil {
		return false, fmt.Errorf("record batch completion: %w", err)
	}
	return true, nil
}

// SkipPending marks every pending device of a rollout skipped, saying why.
func SkipPending(ctx context.Context, tx *store.Tx, id int64, why string) error {
	_, err := tx.Exec(ctx, `UPDATE rollout_devices SET status = 'skipped', error = $1, updated_at = $2
		WHERE rollout_id = $3 AND status = 'pending'`, why, tx.Now(), id)
	if err != nil {
		return fmt.Errorf("skip pending devices: %w", err)
	}
	return nil
}

// RollBackDevices marks rolled_back every device that was given the
// rollout's image and still has it as its target, and returns them: the
// caller gives each its previous image back. Its verdict and evidence stay.
// A device whose target state changed since (an admin, or a newer rollout)
// keeps it; its error says so.
func RollBackDevices(ctx context.Context, tx *store.Tx, id int64) ([]airlock.RolloutDevice, error) {
	now := tx.Now()
	rows, err := tx.Query(ctx, `UPDATE rollout_devices SET status = 'rolled_back', updated_at = $1
		WHERE rollout_id = $2 AND status IN `+given+` AND previous_image <> '' AND EXISTS (SELECT 1 FROM device_target_apps a
			WHERE a.device_uuid = rollout_devices.device_uuid AND a.app = rollout_devices.app AND a.image = rollout_devices.target_image)
		RETURNING `+rolloutDeviceCols, now, id)
	if err != nil {
		return nil, fmt.Errorf("roll back devices: %w", err)
	}
	back, err := store.Collect(rows, scanRolloutDevice)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE rollout_devices SET error = CASE WHEN error = '' THEN $3
		ELSE error || ' (' || CAST($3 AS TEXT) || ')' END, updated_at = $1 WHERE rollout_id = $2 AND status IN `+given,
		now, id, "not rolled back: its target state changed since")
	if err != nil {
		return nil, fmt.Errorf("note devices not rolled back: %w", err)
	}
	return back, nil
}

// SupersedeRollouts ends every unfinished rollout of a repository older
// than rollout by as superseded and returns them.
func SupersedeRollouts(ctx context.Context, tx *store.Tx, registry, namespace, name string, by int64, reason string) ([]airlock.Rollout, error) {
	rows, err := tx.Query(ctx, `UPDATE image_update_rollouts SET status = 'superseded', reason = $1, completed_at = $2
		WHERE registry = $3 AND namespace = $4 AND image_name = $5 AND id < $6 AND status IN `+store.Unfinished+`
		RETURNING `+rolloutCols, reason, tx.Now(), registry, namespace, name, by)
	if err != nil {
		return nil, fmt.Errorf("supersede rollouts: %w", err)
	}
	return store.Collect(rows, scanRollout)
}

// ActiveRollouts returns the ids of the rollouts the monitor advances
// (begun and not terminal), oldest first.
func ActiveRollouts(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM image_update_rollouts WHERE status IN `+store.Monitored+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
}

const rolloutDeviceCols = `rollout_id, device_uuid, app, batch, previous_image, target_image, status, error, updated_at,
	verdict, message, exit_code, attempts, started_at, reported_at, first_healthy_at, judged_at`

func scanRolloutDevice(s store.Scanner) (airlock.RolloutDevice, error) {
	return scanRolloutDeviceWith(s)
}

// scanRolloutDeviceWith scans rolloutDeviceCols and then extra.
func scanRolloutDeviceWith(s store.Scanner, extra ...any) (airlock.RolloutDevice, error) {
	var d airlock.RolloutDevice
	var exit sql.NullInt64
	var started, reported, healthy, judged store.NullTime
	err := s.Scan(append([]any{&d.RolloutID, &d.DeviceUUID, &d.App, &d.Batch, &d.PreviousImage, &d.TargetImage, &d.Status,
		&d.Error, (*store.TimeScan)(&d.UpdatedAt), &d.Outcome, &d.Message, &exit, &d.Attempts,
		&started, &reported, &healthy, &judged}, extra...)...)
	if exit.Valid {
		code := int(exit.Int64)
		d.ExitCode = &code
	}
	d.StartedAt, d.ReportedAt, d.HealthyAt, d.JudgedAt = started.Ptr(), reported.Ptr(), healthy.Ptr(), judged.Ptr()
	return d, err
}

// Rollout returns one rollout with its device counts, overall and per batch.
func Rollout(ctx context.Context, db *store.DB, id int64) (airlock.Rollout, error) {
	r, err := scanRollout(db.QueryRow(ctx, `SELECT `+rolloutCols+` FROM image_update_rollouts WHERE id = $1`, id))
	if err != nil {
		return r, store.NotFound(err, "rollout %d not found", id)
	}
	rows, err := db.Query(ctx, `SELECT batch, status, COUNT(*) FROM rollout_devices WHERE rollout_id = $1
		GROUP BY batch, status ORDER BY batch`, id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	r.Counts = map[string]int{}
	for rows.Next() {
		var batch, n int
		var status string
		if err := rows.Scan(&batch, &status, &n); err != nil {
			return r, store.WrapErr(err)
		}
		if len(r.Batches) == 0 || r.Batches[len(r.Batches)-1].Batch != batch {
			r.Batches = append(r.Batches, airlock.BatchCounts{Batch: batch, Counts: map[string]int{}})
		}
		b := &r.Batches[len(r.Batches)-1]
		b.Total += n
		b.Counts[status] += n
		r.Counts[status] += n
	}
	return r, store.WrapErr(rows.Err())
}

// countDevices fills the device counts by status of the rollouts page
// selects (a query of their ids).
func countDevices(ctx context.Context, db *store.DB, items []airlock.Rollout, page string, args []any) error {
	byID := make(map[int64]*airlock.Rollout, len(items))
	for i := range items {
		items[i].Counts = map[string]int{}
		byID[items[i].ID] = &items[i]
	}
	rows, err := db.Query(ctx, `SELECT rollout_id, status, COUNT(*) FROM rollout_devices
		WHERE rollout_id IN (`+page+`) GROUP BY rollout_id, status`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return store.WrapErr(err)
		}
		if r := byID[id]; r != nil {
			r.Counts[status] = n
		}
	}
	return store.WrapErr(rows.Err())
}

// UnfinishedRollouts returns the unfinished rollouts of a repository, of
// one tag when tag is not "", locking them.
func UnfinishedRollouts(ctx context.Context, tx *store.Tx, registry, namespace, name, tag string) ([]airlock.Rollout, error) {
	rows, err := tx.Query(ctx, `SELECT `+rolloutCols+` FROM image_update_rollouts
		WHERE registry = $1 AND namespace = $2 AND image_name = $3 AND ($4 = '' OR tag = $4) AND status IN `+store.Unfinished+`
		ORDER BY id`+tx.ForUpdate(), registry, namespace, name, tag)
	if err != nil {
		return nil, fmt.Errorf("unfinished rollouts: %w", err)
	}
	return store.Collect(rows, scanRollout)
}
