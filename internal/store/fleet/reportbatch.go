package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

// QueuedReport is one device's report for SaveReports.
type QueuedReport struct {
	UUID   string
	Report airlock.DeviceReport
}

// SaveReports stores many devices' reports as SaveReport would each, with
// the platform a report names (SetDevicePlatform), in two statements:
// one UPDATE of the devices, one upsert of their states. It returns the
// devices it found; a report of any other device (deleted since its key
// was checked) is not stored. Of several reports of one device the last
// wins, as if they had been written one after the other.
func SaveReports(ctx context.Context, tx *store.Tx, reports []QueuedReport) (map[string]bool, error) {
	latest := make(map[string]int, len(reports))
	for i, r := range reports {
		latest[r.UUID] = i
	}
	uuids := make([]string, 0, len(latest))
	for u := range latest {
		uuids = append(uuids, u)
	}
	slices.Sort(uuids) // one lock order for every batch
	found, err := touchReported(ctx, tx, reports, latest, uuids)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(found))
	for _, u := range uuids {
		if !found[u] {
			continue
		}
		r := reports[latest[u]].Report
		if r.Apps == nil {
			r.Apps = map[string]airlock.AppReport{}
		}
		state, err := json.Marshal(reportDoc{r.Apps, r.Metrics})
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		rows = append(rows, []any{u, string(state), metric(r.Metrics, "cpu_percent"), metric(r.Metrics, "memory_percent"),
			uptime(r.Metrics), tx.DB().JSONTime(r.ReportedAt)})
	}
	if len(rows) == 0 {
		return found, nil
	}
	from, elem := tx.DB().JSONRows(1)
	err = jsonInsert(ctx, tx, `INSERT INTO device_current_state
		(device_uuid, state, cpu_percent, memory_percent, uptime_seconds, reported_at)
		SELECT `+elem(0, "")+`, `+elem(1, "")+`, `+elem(2, "double precision")+`, `+elem(3, "double precision")+`, `+
		elem(4, "bigint")+`, `+elem(5, "timestamptz")+` FROM `+from+` WHERE true
		ON CONFLICT (device_uuid) DO UPDATE SET state = excluded.state, cpu_percent = excluded.cpu_percent,
		memory_percent = excluded.memory_percent, uptime_seconds = excluded.uptime_seconds, reported_at = excluded.reported_at`, rows)
	if err != nil {
		return nil, fmt.Errorf("store reports: %w", err)
	}
	return found, nil
}

// touchReported records the devices as seen when they reported, and the
// platform those that name one run, and returns the devices it found.
func touchReported(ctx context.Context, tx *store.Tx, reports []QueuedReport, latest map[string]int, uuids []string) (map[string]bool, error) {
	rows := make([][]string, len(uuids))
	for i, u := range uuids {
		r := reports[latest[u]].Report
		rows[i] = []string{u, tx.DB().JSONTime(r.ReportedAt), r.Platform}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	from, elem := tx.DB().JSONRows(1)
	// The subquery's columns are named apart from the devices' own: SQLite's
	// RETURNING may name only the updated table's.
	q := `UPDATE devices SET last_seen_at = r.seen_at, platform = CASE WHEN r.new_platform = '' THEN platform ELSE r.new_platform END
		FROM (SELECT ` + elem(0, "") + ` AS device, ` + elem(1, "timestamptz") + ` AS seen_at, ` + elem(2, "") + ` AS new_platform
		FROM ` + from + `) AS r WHERE devices.uuid = r.device RETURNING uuid`
	rs, err := tx.Query(ctx, q, string(list))
	if err != nil {
		return nil, fmt.Errorf("touch devices: %w", err)
	}
	found := make(map[string]bool, len(uuids))
	if err := scanSet(rs, found); err != nil {
		return nil, fmt.Errorf("touch devices: %w", err)
	}
	return found, nil
}
