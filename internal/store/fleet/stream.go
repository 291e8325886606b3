package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/airlock-iot/airlock/internal/store"
)

const targetAppsFrom = `SELECT a.device_uuid, a.app, a.image, d.labels
	FROM device_target_apps a JOIN devices d ON d.uuid = a.device_uuid WHERE a.repository = $1`

// targetAppScanner scans target app rows, parsing each device's labels
// once: rows come in device order.
func targetAppScanner() func(store.Scanner) (TargetApp, error) {
	var last TargetApp
	return func(s store.Scanner) (TargetApp, error) {
		var a TargetApp
		var labels string
		if err := s.Scan(&a.DeviceUUID, &a.App, &a.Image, &labels); err != nil {
			return a, store.WrapErr(err)
		}
		if a.DeviceUUID == last.DeviceUUID {
			a.Labels = last.Labels
		} else if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
			return a, fmt.Errorf("labels of %s: %w", a.DeviceUUID, err)
		}
		last = a
		return a, nil
	}
}

// TargetAppsAfter returns at most limit target apps of repository that
// come after (uuid, app) in (device_uuid, app) order: one chunk of a
// keyset walk over a fleet too large to hold. ("", "") starts the walk.
// Labels are read only when withLabels (a filter needs them), and by a
// second query: joined in one, PostgreSQL scans the whole devices table.
func TargetAppsAfter(ctx context.Context, tx *store.Tx, repository, uuid, app string, limit int, withLabels bool) ([]TargetApp, error) {
	// The limit is written into the statement: a prepared statement's
	// generic plan that does not know it is small sorts every row instead.
	rows, err := tx.Query(ctx, `SELECT device_uuid, app, image FROM device_target_apps
		WHERE repository = $1 AND (device_uuid, app) > ($2, $3) ORDER BY device_uuid, app LIMIT `+strconv.Itoa(limit), repository, uuid, app)
	if err != nil {
		return nil, fmt.Errorf("target apps: %w", err)
	}
	apps, err := store.Collect(rows, func(s store.Scanner) (TargetApp, error) {
		var a TargetApp
		return a, s.Scan(&a.DeviceUUID, &a.App, &a.Image)
	})
	if err != nil || !withLabels || len(apps) == 0 {
		return apps, err
	}
	return apps, addLabels(ctx, tx, apps)
}

// addLabels reads the labels of apps' devices, a range of uuids.
func addLabels(ctx context.Context, tx *store.Tx, apps []TargetApp) error {
	want := map[string]map[string]string{}
	for _, a := range apps {
		want[a.DeviceUUID] = nil
	}
	rows, err := tx.Query(ctx, `SELECT uuid, labels FROM devices WHERE uuid >= $1 AND uuid <= $2`,
		apps[0].DeviceUUID, apps[len(apps)-1].DeviceUUID)
	if err != nil {
		return fmt.Errorf("device labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uuid, labels string
		if err := rows.Scan(&uuid, &labels); err != nil {
			return store.WrapErr(err)
		}
		if _, ok := want[uuid]; !ok {
			continue
		}
		var l map[string]string
		if err := json.Unmarshal([]byte(labels), &l); err != nil {
			return fmt.Errorf("labels of %s: %w", uuid, err)
		}
		want[uuid] = l
	}
	for i := range apps {
		apps[i].Labels = want[apps[i].DeviceUUID]
	}
	return store.WrapErr(rows.Err())
}

// EachTargetApp calls fn with every target app of repository, in
// (device_uuid, app) order, streaming: it holds one row at a time.
func EachTargetApp(ctx context.Context, db *store.DB, repository string, fn func(TargetApp) error) error {
	rows, err := db.Query(ctx, targetAppsFrom+` ORDER BY a.device_uuid, a.app`, repository)
	if err != nil {
		return fmt.Errorf("target apps: %w", err)
	}
	defer rows.Close()
	scan := targetAppScanner()
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return store.WrapErr(rows.Err())
}

// CountTargetDevices counts the devices with an app of repository: an
// estimate of a rollout's size when its batches do not depend on it.
func CountTargetDevices(ctx context.Context, tx *store.Tx, repository string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(DISTINCT device_uuid) FROM device_target_apps WHERE repository = $1`, repository).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count target devices: %w", err)
	}
	return n, nil
}
