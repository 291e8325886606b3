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

// NewDevice is one device of a bulk import: the device, the hash of its
// key, and its first target state (nil apps: empty; images normalised).
type NewDevice struct {
	Device  airlock.Device
	KeyHash string
	Apps    map[string]airlock.AppSpec
}

// ImportDevices inserts devices and reports which uuids it inserted; a
// uuid that exists already is skipped. Each table gets one statement whose
// rows come as one JSON parameter: thousands of bound values cost both
// engines more than the rows themselves. It writes one device.imported
// event for the lot rather than one per device, an insert each.
func ImportDevices(ctx context.Context, tx *store.Tx, ds []NewDevice) (map[string]bool, error) {
	inserted := make(map[string]bool, len(ds))
	if len(ds) == 0 {
		return inserted, nil
	}
	rows := make([][]string, len(ds))
	for i, d := range ds {
		labels, err := json.Marshal(d.Device.Labels)
		if err != nil {
			return nil, fmt.Errorf("device labels: %w", err)
		}
		rows[i] = []string{d.Device.UUID, d.Device.Name, string(labels), d.Device.Architecture, d.KeyHash, d.Device.Platform}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	from, elem := tx.DB().JSONRows(1)
	rs, err := tx.Query(ctx, `INSERT INTO devices (uuid, name, labels, architecture, api_key_hash, platform, created_at)
		SELECT `+elem(0, "")+`, `+elem(1, "")+`, `+elem(2, "")+`, `+elem(3, "")+`, `+elem(4, "")+`, `+elem(5, "")+`, $2
		FROM `+from+` WHERE true ON CONFLICT DO NOTHING RETURNING uuid`, string(list), tx.Now())
	if err != nil {
		return nil, fmt.Errorf("insert devices: %w", err)
	}
	if err := scanSet(rs, inserted); err != nil {
		return nil, fmt.Errorf("insert devices: %w", err)
	}
	if err := importStates(ctx, tx, ds, inserted); err != nil {
		return nil, err
	}
	uuids := make([]string, 0, len(inserted))
	for _, d := range ds {
		if inserted[d.Device.UUID] {
			uuids = append(uuids, d.Device.UUID)
		}
	}
	if len(uuids) == 0 {
		return inserted, nil
	}
	return inserted, tx.AddEvent(ctx, "device.imported", "devices", map[string]any{"count": len(uuids), "uuids": uuids})
}

// importStates writes the target states, and their app index, of the
// devices ImportDevices inserted.
func importStates(ctx context.Context, tx *store.Tx, ds []NewDevice, inserted map[string]bool) error {
	var states, apps [][]any
	repos := map[string]string{} // image → repository: a fleet shares a few images
	for _, d := range ds {
		if !inserted[d.Device.UUID] {
			continue
		}
		doc, err := marshalState(d.Apps)
		if err != nil {
			return err
		}
		states = append(states, []any{d.Device.UUID, min(len(d.Apps), 1), doc})
		for _, name := range slices.Sorted(maps.Keys(d.Apps)) {
			image := d.Apps[name].Image() // normalised by the caller
			repo, ok := repos[image]
			if !ok {
				ref, err := imageref.Parse(image)
				if err != nil {
					return err
				}
				repo, repos[image] = ref.Repository(), ref.Repository()
			}
			apps = append(apps, []any{d.Device.UUID, name, repo, image})
		}
	}
	from, elem := tx.DB().JSONRows(1)
	err := jsonInsert(ctx, tx, `INSERT INTO device_target_state (device_uuid, version, state, updated_at)
		SELECT `+elem(0, "")+`, `+elem(1, "int")+`, `+elem(2, "")+`, $2 FROM `+from, states, tx.Now())
	if err != nil {
		return fmt.Errorf("insert target states: %w", err)
	}
	err = jsonInsert(ctx, tx, `INSERT INTO device_target_apps (device_uuid, app, repository, image)
		SELECT `+elem(0, "")+`, `+elem(1, "")+`, `+elem(2, "")+`, `+elem(3, "")+` FROM `+from, apps)
	if err != nil {
		return fmt.Errorf("index target apps: %w", err)
	}
	return nil
}

// jsonInsert runs q with rows, as one JSON array, for its first parameter.
func jsonInsert(ctx context.Context, tx *store.Tx, q string, rows [][]any, args ...any) error {
	if len(rows) == 0 {
		return nil
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, q, append([]any{string(list)}, args...)...)
	return err
}

func scanSet(rows *store.Rows, into map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		into[s] = true
	}
	return store.WrapErr(rows.Err())
}
