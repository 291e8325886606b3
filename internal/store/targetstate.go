package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
)

// stateDoc is the stored form of a target state: {"apps": {…}}.
type stateDoc struct {
	Apps map[string]airlock.AppSpec `json:"apps"`
}

func marshalState(apps map[string]airlock.AppSpec) (string, error) {
	if apps == nil {
		apps = map[string]airlock.AppSpec{}
	}
	b, err := json.Marshal(stateDoc{apps})
	if err != nil {
		return "", fmt.Errorf("target state: %w", err)
	}
	return string(b), nil
}

func parseState(s string) (map[string]airlock.AppSpec, error) {
	var doc stateDoc
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("stored target state: %w", err)
	}
	if doc.Apps == nil {
		doc.Apps = map[string]airlock.AppSpec{}
	}
	return doc.Apps, nil
}

// SetTargetState replaces a device's target state, bumps its version and
// re-indexes which repositories it runs.
func (tx *Tx) SetTargetState(ctx context.Context, uuid string, apps map[string]airlock.AppSpec) (airlock.TargetState, error) {
	tx.devicesChanged = true
	ts := airlock.TargetState{Apps: apps, UpdatedAt: tx.Now()}
	state, err := marshalState(apps)
	if err != nil {
		return ts, err
	}
	err = tx.QueryRow(ctx, `UPDATE device_target_state SET version = version + 1, state = $1, updated_at = $2
		WHERE device_uuid = $3 RETURNING version`, state, ts.UpdatedAt, uuid).Scan(&ts.Version)
	if err != nil {
		return ts, NotFound(err, "device %s not found", uuid)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM device_target_apps WHERE device_uuid = $1`, uuid); err != nil {
		return ts, fmt.Errorf("clear target apps: %w", err)
	}
	rows, err := appRows(uuid, apps)
	if err != nil {
		return ts, err
	}
	if err := tx.upsertApps(ctx, rows); err != nil {
		return ts, err
	}
	images := map[string]string{}
	for name, app := range apps {
		images[name] = app.Image()
	}
	return ts, tx.AddEvent(ctx, "device.target_state_changed", deviceSubject(uuid),
		map[string]any{"uuid": uuid, "version": ts.Version, "images": images})
}

// appRows are the device_target_apps rows of one device's apps.
func appRows(uuid string, apps map[string]airlock.AppSpec) ([][]any, error) {
	rows := make([][]any, 0, len(apps))
	for _, name := range slices.Sorted(maps.Keys(apps)) {
		ref, err := imageref.Parse(apps[name].Image())
		if err != nil {
			return nil, err
		}
		rows = append(rows, []any{uuid, name, ref.Repository(), ref.String()})
	}
	return rows, nil
}

func (tx *Tx) upsertApps(ctx context.Context, rows [][]any) error {
	err := tx.bulkExec(ctx, `INSERT INTO device_target_apps (device_uuid, app, repository, image) VALUES `, `(?, ?, ?, ?)`,
		` ON CONFLICT (device_uuid, app) DO UPDATE SET repository = excluded.repository, image = excluded.image`, rows)
	if err != nil {
		return fmt.Errorf("index target apps: %w", err)
	}
	return nil
}

// TargetState returns a device's target state.
func (db *DB) TargetState(ctx context.Context, uuid string) (airlock.TargetState, error) {
	var ts airlock.TargetState
	var state string
	err := db.QueryRow(ctx, `SELECT version, state, updated_at FROM device_target_state WHERE device_uuid = $1`, uuid).
		Scan(&ts.Version, &state, (*TimeScan)(&ts.UpdatedAt))
	if err != nil {
		return ts, NotFound(err, "device %s not found", uuid)
	}
	ts.Apps, err = parseState(state)
	return ts, err
}

// TargetApp is one app of one device's target state that runs a given
// repository, with the device's labels for filtering.
type TargetApp struct {
	DeviceUUID, App, Image string
	Labels                 map[string]string
}

// TargetApps lists every device app whose target image is of repository
// (normalised, e.g. "docker.io/library/redis"), ordered by device and app.
func (tx *Tx) TargetApps(ctx context.Context, repository string) ([]TargetApp, error) {
	rows, err := tx.Query(ctx, `SELECT a.device_uuid, a.app, a.image, d.labels
		FROM device_target_apps a JOIN devices d ON d.uuid = a.device_uuid
		WHERE a.repository = $1 ORDER BY a.device_uuid, a.app`, repository)
	if err != nil {
		return nil, fmt.Errorf("target apps: %w", err)
	}
	var last TargetApp // devices come in order, so their labels are parsed once
	return Collect(rows, func(s Scanner) (TargetApp, error) {
		var a TargetApp
		var labels string
		if err := s.Scan(&a.DeviceUUID, &a.App, &a.Image, &labels); err != nil {
			return a, err
		}
		if a.DeviceUUID == last.DeviceUUID {
			a.Labels = last.Labels
		} else if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
			return a, fmt.Errorf("labels of %s: %w", a.DeviceUUID, err)
		}
		last = a
		return a, nil
	})
}

// AppImage asks that one app of one device's target state run Image.
type AppImage struct{ DeviceUUID, App, Image string }

// SetAppImages sets apps[App].image for every change, keeping every other
// field of the app as it is, and bumps each changed device's version once.
// It is built for a rollout over a whole fleet in one transaction: states
// are read, locked and written back a chunk of rows per statement. It
// writes no events; the caller records the rollout's.
func (tx *Tx) SetAppImages(ctx context.Context, changes []AppImage) error {
	byDevice, err := groupChanges(changes)
	if err != nil || len(byDevice) == 0 {
		return err
	}
	tx.devicesChanged = true
	uuids := slices.Sorted(maps.Keys(byDevice))
	states, err := tx.lockStates(ctx, uuids)
	if err != nil {
		return err
	}
	now := tx.Now()
	stateRows := make([][]any, 0, len(uuids))
	indexRows := make([][]any, 0, len(changes))
	for _, uuid := range uuids {
		stored, ok := states[uuid]
		if !ok {
			return airlock.Errorf(airlock.ENOTFOUND, "device %s not found", uuid)
		}
		apps, err := parseState(stored)
		if err != nil {
			return err
		}
		for _, app := range slices.Sorted(maps.Keys(byDevice[uuid])) {
			ref := byDevice[uuid][app]
			apps[app] = apps[app].WithImage(ref.String())
			indexRows = append(indexRows, []any{uuid, app, ref.Repository(), ref.String()})
		}
		doc, err := marshalState(apps)
		if err != nil {
			return err
		}
		stateRows = append(stateRows, []any{uuid, doc, now})
	}
	err = tx.bulkExec(ctx, `INSERT INTO device_target_state (device_uuid, version, state, updated_at) VALUES `, `(?, 1, ?, ?)`,
		` ON CONFLICT (device_uuid) DO UPDATE SET version = device_target_state.version + 1,
		state = excluded.state, updated_at = excluded.updated_at`, stateRows)
	if err != nil {
		return fmt.Errorf("write target states: %w", err)
	}
	return tx.upsertApps(ctx, indexRows)
}

// groupChanges parses each distinct image once and keeps the last change
// of each (device, app).
func groupChanges(changes []AppImage) (map[string]map[string]imageref.Ref, error) {
	refs := map[string]imageref.Ref{}
	out := map[string]map[string]imageref.Ref{}
	for _, c := range changes {
		ref, ok := refs[c.Image]
		if !ok {
			var err error
			if ref, err = imageref.Parse(c.Image); err != nil {
				return nil, err
			}
			refs[c.Image] = ref
		}
		if out[c.DeviceUUID] == nil {
			out[c.DeviceUUID] = map[string]imageref.Ref{}
		}
		out[c.DeviceUUID][c.App] = ref
	}
	return out, nil
}

// lockStates reads (and on PostgreSQL locks, in uuid order) the stored
// target states of the devices.
func (tx *Tx) lockStates(ctx context.Context, uuids []string) (map[string]string, error) {
	out := make(map[string]string, len(uuids))
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(uuids, 1000) {
		st, err := tx.prepareSized(ctx, stmts, len(chunk), func(n int) string {
			return `SELECT device_uuid, state FROM device_target_state WHERE device_uuid IN (` + tx.db.paramList(1, n) +
				`) ORDER BY device_uuid` + tx.ForUpdate()
		})
		if err != nil {
			return nil, err
		}
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		qctx, cancel := tx.db.bounded(ctx)
		rs, err := st.QueryContext(qctx, args...)
		rows, err := tx.db.newRows(qctx, rs, err, cancel)
		if err != nil {
			return nil, fmt.Errorf("read target states: %w", err)
		}
		if err := scanStates(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStates(rows *Rows, into map[string]string) error {
	defer rows.Close()
	for rows.Next() {
		var uuid, state string
		if err := rows.Scan(&uuid, &state); err != nil {
			return err
		}
		into[uuid] = state
	}
	return WrapErr(rows.Err())
}

// prepareSized prepares, once per size, the statement build(n) makes: a fleet-wide
// change runs the same full-chunk statement hundreds of times.
func (tx *Tx) prepareSized(ctx context.Context, cache map[int]*sql.Stmt, n int, build func(int) string) (*sql.Stmt, error) {
	if st, ok := cache[n]; ok {
		return st, nil
	}
	pctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	st, err := tx.tx.PrepareContext(pctx, build(n))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", tx.db.result(pctx, err))
	}
	cache[n] = st
	return st, nil
}

// bulkParams bounds the parameters of one multi-row statement, well under
// both engines' limits.
const bulkParams = 2000

// bulkExec runs head + "row, row, …" + tail over rows, as few statements as
// the parameter bound allows. row is a template whose "?"s are numbered
// per row; every row must have as many values as it has "?"s.
func (tx *Tx) bulkExec(ctx context.Context, head, row, tail string, rows [][]any) error {
	width := strings.Count(row, "?")
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(rows, max(1, bulkParams/width)) {
		st, err := tx.prepareSized(ctx, stmts, len(chunk), func(n int) string { return head + tx.db.valuesList(row, n) + tail })
		if err != nil {
			return err
		}
		args := make([]any, 0, len(chunk)*width)
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := tx.boundedExec(ctx, st, tx.db.args(args)); err != nil {
			return err
		}
	}
	return nil
}

// valuesList repeats the row template n times, numbering its "?"s as
// parameters (see param).
func (db *DB) valuesList(row string, n int) string {
	var b strings.Builder
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		for _, c := range row {
			if c != '?' {
				b.WriteRune(c)
				continue
			}
			b.WriteString(db.param(p))
			p++
		}
	}
	return b.String()
}

// TargetImages returns the image of each app in a device's target state.
func (tx *Tx) TargetImages(ctx context.Context, uuid string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT app, image FROM device_target_apps WHERE device_uuid = $1`, uuid)
	if err != nil {
		return nil, fmt.Errorf("target images: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var app, image string
		if err := rows.Scan(&app, &image); err != nil {
			return nil, WrapErr(err)
		}
		out[app] = image
	}
	return out, WrapErr(rows.Err())
}

func (tx *Tx) boundedExec(ctx context.Context, st *sql.Stmt, args []any) error {
	ctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	_, err := st.ExecContext(ctx, args...)
	return tx.db.result(ctx, err)
}
