package fleet

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

// reportDoc is the stored form of a device report, device_current_state.state:
// {"apps": {name: {image, status, healthy}}, "metrics": {…}}. The rollout
// monitor reads it from there.
type reportDoc struct {
	Apps    map[string]airlock.AppReport `json:"apps"`
	Metrics map[string]any               `json:"metrics,omitempty"`
}

// SaveReport stores r as the device's current state and records the device
// as seen at r.ReportedAt.
func SaveReport(ctx context.Context, tx *store.Tx, uuid string, r airlock.DeviceReport) error {
	res, err := tx.Exec(ctx, `UPDATE devices SET last_seen_at = $1 WHERE uuid = $2`, r.ReportedAt, uuid)
	if err != nil {
		return fmt.Errorf("touch device: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return store.WrapErr(err)
	} else if n == 0 {
		return airlock.Errorf(airlock.ENOTFOUND, "device %s not found", uuid)
	}
	if r.Apps == nil {
		r.Apps = map[string]airlock.AppReport{}
	}
	state, err := json.Marshal(reportDoc{r.Apps, r.Metrics})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO device_current_state
		(device_uuid, state, cpu_percent, memory_percent, uptime_seconds, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (device_uuid) DO UPDATE SET state = excluded.state, cpu_percent = excluded.cpu_percent,
		memory_percent = excluded.memory_percent, uptime_seconds = excluded.uptime_seconds, reported_at = excluded.reported_at`,
		uuid, string(state), metric(r.Metrics, "cpu_percent"), metric(r.Metrics, "memory_percent"),
		uptime(r.Metrics), r.ReportedAt)
	if err != nil {
		return fmt.Errorf("store report: %w", err)
	}
	return nil
}

// metric is a numeric metric, or nil (NULL) when absent or not a number.
func metric(m map[string]any, name string) any {
	if v, ok := m[name].(float64); ok {
		return v
	}
	return nil
}

func uptime(m map[string]any) any {
	if v, ok := m["uptime_seconds"].(float64); ok && v >= 0 && v < 1<<62 {
		return int64(v)
	}
	return nil
}

// Report returns a device's last report, or nil if it never reported.
func Report(ctx context.Context, db *store.DB, uuid string) (*airlock.DeviceReport, error) {
	var state string
	var r airlock.DeviceReport
	err := db.QueryRow(ctx, `SELECT state, reported_at FROM device_current_state WHERE device_uuid = $1`, uuid).
		Scan(&state, (*store.TimeScan)(&r.ReportedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, store.WrapErr(err)
	}
	var doc reportDoc
	if err := json.Unmarshal([]byte(state), &doc); err != nil {
		return nil, fmt.Errorf("stored report of %s: %w", uuid, err)
	}
	r.Apps, r.Metrics = doc.Apps, doc.Metrics
	return &r, nil
}
