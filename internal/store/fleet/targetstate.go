package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
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
func SetTargetState(ctx context.Context, tx *store.Tx, uuid string, apps map[string]airlock.AppSpec) (airlock.TargetState, error) {
	tx.DevicesChanged(uuid)
	ts := airlock.TargetState{Apps: apps, UpdatedAt: tx.Now()}
	state, err := marshalState(apps)
	if err != nil {
		return ts, err
	}
	err = tx.QueryRow(ctx, `UPDATE device_target_state SET version = version + 1, state = $1, updated_at = $2
		WHERE device_uuid = $3 RETURNING version`, state, ts.UpdatedAt, uuid).Scan(&ts.Version)
	if err != nil {
		return ts, store.NotFound(err, "device %s not found", uuid)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM device_target_apps WHERE device_uuid = $1`, uuid); err != nil {
		return ts, fmt.Errorf("clear target apps: %w", err)
	}
	rows, err := appRows(uuid, apps)
	if err != nil {
		return ts, err
	}
	if err := upsertApps(ctx, tx, rows); err != nil {
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

func upsertApps(ctx context.Context, tx *store.Tx, rows [][]any) error {
	from, elem := tx.DB().JSONRows(1)
	err := jsonInsert(ctx, tx, `INSERT INTO device_target_apps (device_uuid, app, repository, image)
		SELECT `+elem(0, "")+`, `+elem(1, "")+`, `+elem(2, "")+`, `+elem(3, "")+` FROM `+from+`
		WHERE true ON CONFLICT (device_uuid, app) DO UPDATE SET repository = excluded.repository, image = excluded.image`, rows)
	if err != nil {
		return fmt.Errorf("index target apps: %w", err)
	}
	return nil
}

// TargetState returns a device's target state.
func TargetState(ctx context.Context, db *store.DB, uuid string) (airlock.TargetState, error) {
	var ts airlock.TargetState
	var state string
	err := db.QueryRow(ctx, `SELECT version, state, updated_at FROM device_target_state WHERE device_uuid = $1`, uuid).
		Scan(&ts.Version, &state, (*store.TimeScan)(&ts.UpdatedAt))
	if err != nil {
		return ts, store.NotFound(err, "device %s not found", uuid)
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
func TargetApps(ctx context.Context, tx *store.Tx, repository string) ([]TargetApp, error) {
	rows, err := tx.Query(ctx, `SELECT a.device_uuid, a.app, a.image, d.labels
		FROM device_target_apps a JOIN devices d ON d.uuid = a.device_uuid
		WHERE a.repository = $1 ORDER BY a.device_uuid, a.app`, repository)
	if err != nil {
		return nil, fmt.Errorf("target apps: %w", err)
	}
	var last TargetApp // devices come in order, so their labels are parsed once
	return store.Collect(rows, func(s store.Scanner) (TargetApp, error) {
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
// Repository files it under another repository than Image's own: a
// mirror's copy stays under the repository it was copied from, so the
// next release of that repository finds the app. "" files it under Image's.
type AppImage struct{ DeviceUUID, App, Image, Repository string }

// SetAppImages sets apps[App].image for every change, keeping every other
// field of the app as it is, and bumps each changed device's version once.
// It is built for a rollout over a whole fleet: states are read, locked
// and written back a chunk of rows per statement, passed as one JSON
// parameter. It
// writes no events; the caller records the rollout's.
func SetAppImages(ctx context.Context, tx *store.Tx, changes []AppImage) error {
	byDevice, err := groupChanges(changes)
	if err != nil || len(byDevice) == 0 {
		return err
	}
	uuids := slices.Sorted(maps.Keys(byDevice))
	tx.DevicesChanged(uuids...)
	states, err := lockStates(ctx, tx, uuids)
	if err != nil {
		return err
	}
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
			c := byDevice[uuid][app]
			apps[app] = apps[app].WithImage(c.ref.String())
			indexRows = append(indexRows, []any{uuid, app, c.repository, c.ref.String()})
		}
		doc, err := marshalState(apps)
		if err != nil {
			return err
		}
		stateRows = append(stateRows, []any{uuid, doc})
	}
	from, elem := tx.DB().JSONRows(1)
	err = jsonInsert(ctx, tx, `UPDATE device_target_state SET version = version + 1, state = x.state, updated_at = $2
		FROM (SELECT `+elem(0, "")+` AS device_uuid, `+elem(1, "")+` AS state FROM `+from+`) x
		WHERE device_target_state.device_uuid = x.device_uuid`, stateRows, tx.Now())
	if err != nil {
		return fmt.Errorf("write target states: %w", err)
	}
	return upsertApps(ctx, tx, indexRows)
}

// placed is a parsed change and the repository it is filed under.
type placed struct {
	ref        imageref.Ref
	repository string
}

// groupChanges parses each distinct image once and keeps the last change
// of each (device, app).
func groupChanges(changes []AppImage) (map[string]map[string]placed, error) {
	refs := map[string]imageref.Ref{}
	out := map[string]map[string]placed{}
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
			out[c.DeviceUUID] = map[string]placed{}
		}
		repo := c.Repository
		if repo == "" {
			repo = ref.Repository()
		}
		out[c.DeviceUUID][c.App] = placed{ref, repo}
	}
	return out, nil
}

// TargetImages returns the image of each app in a device's target state.
func TargetImages(ctx context.Context, tx *store.Tx, uuid string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT app, image FROM device_target_apps WHERE device_uuid = $1`, uuid)
	if err != nil {
		return nil, fmt.Errorf("target images: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var app, image string
		if err := rows.Scan(&app, &image); err != nil {
			return nil, store.WrapErr(err)
		}
		out[app] = image
	}
	return out, store.WrapErr(rows.Err())
}
