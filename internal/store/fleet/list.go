package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/listing"
)

// DeviceRow is a device of the list with its target state and last report.
type DeviceRow struct {
	Device airlock.Device
	Target map[string]airlock.AppSpec
	Report *airlock.DeviceReport // nil: never reported
}

// deviceSorts are the columns a list may be sorted by; uuid breaks ties.
var deviceSorts = map[string]string{"created": "created_at", "name": "name", "uuid": "uuid"}

// DeviceSortValid reports whether sort names a sort of the devices list.
func DeviceSortValid(sort string) bool {
	_, ok := deviceSorts[strings.TrimPrefix(sort, "-")]
	return ok || sort == ""
}

// DeviceRows lists a page of the devices matching f, each with its target
// state and last report read in the same query. Past f.After, the page is
// an index range whatever its depth.
func DeviceRows(ctx context.Context, db *store.DB, f airlock.DeviceQuery) (airlock.Page[DeviceRow], error) {
	var page airlock.Page[DeviceRow]
	conds, args := deviceWhere(f, db)
	var err error
	if page.Total, page.TotalEstimated, err = listing.Total(ctx, db, "devices d", where(conds), args); err != nil {
		return page, err
	}
	col, dir, cmp := deviceSort(f.Sort)
	if f.After != "" {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM devices WHERE uuid = $1`, f.After).Scan(&n); err != nil {
			return page, store.WrapErr(err)
		}
		if n == 0 {
			return page, airlock.FieldErrorf("after", "no device %s: start again from the first page", f.After)
		}
		args = append(args, f.After)
		conds = append(conds, fmt.Sprintf(`(d.%s, d.uuid) %s (SELECT %s, uuid FROM devices WHERE uuid = $%d)`, col, cmp, col, len(args)))
	}
	args = append(args, f.Limit, f.Offset)
	// The page is chosen first, then joined to its states: an offset skips
	// index entries, not joined rows.
	order := fmt.Sprintf(`ORDER BY d.%s %s, d.uuid %s`, col, dir, dir)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT d.uuid, d.name, d.labels, d.architecture, d.last_seen_at, d.created_at,
		t.state, c.state, c.reported_at
		FROM (SELECT * FROM devices d%s %s LIMIT $%d OFFSET $%d) d
		LEFT JOIN device_target_state t ON t.device_uuid = d.uuid
		LEFT JOIN device_current_state c ON c.device_uuid = d.uuid %s`, where(conds), order, len(args)-1, len(args), order), args...)
	if err != nil {
		return page, err
	}
	if page.Items, err = store.Collect(rows, scanDeviceRow); err != nil {
		return page, err
	}
	if len(page.Items) == f.Limit && f.Limit > 0 {
		page.Next = page.Items[len(page.Items)-1].Device.UUID
	}
	return page, nil
}

// deviceSort is the column, direction and keyset comparison of a sort.
func deviceSort(sort string) (col, dir, cmp string) {
	col, dir, cmp = deviceSorts[strings.TrimPrefix(sort, "-")], "ASC", ">"
	if col == "" {
		col = "created_at"
	}
	if strings.HasPrefix(sort, "-") {
		dir, cmp = "DESC", "<"
	}
	return col, dir, cmp
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func scanDeviceRow(s store.Scanner) (DeviceRow, error) {
	var r DeviceRow
	var labels string
	var seen, reported store.NullTime
	var target, report *string
	err := s.Scan(&r.Device.UUID, &r.Device.Name, &labels, &r.Device.Architecture, &seen,
		(*store.TimeScan)(&r.Device.CreatedAt), &target, &report, &reported)
	if err != nil {
		return r, err
	}
	r.Device.LastSeenAt = seen.Ptr()
	if err := json.Unmarshal([]byte(labels), &r.Device.Labels); err != nil {
		return r, fmt.Errorf("labels of %s: %w", r.Device.UUID, err)
	}
	if target != nil {
		if r.Target, err = parseState(*target); err != nil {
			return r, err
		}
	}
	if report != nil {
		r.Report = &airlock.DeviceReport{}
		if err := json.Unmarshal([]byte(*report), r.Report); err != nil {
			return r, fmt.Errorf("stored report of %s: %w", r.Device.UUID, err)
		}
		r.Report.ReportedAt = *reported.Ptr()
	}
	return r, nil
}

// deviceWhere is the filter of f. On PostgreSQL the labels are one JSON
// containment, which the GIN index of migration 00008 answers.
func deviceWhere(f airlock.DeviceQuery, db *store.DB) ([]string, []any) {
	var conds []string
	var args []any
	if len(f.Labels) > 0 && db.Engine == store.Postgres {
		doc, _ := json.Marshal(f.Labels)
		args = append(args, string(doc))
		conds = append(conds, fmt.Sprintf(`d.labels::jsonb @> $%d::jsonb`, len(args)))
	}
	if len(f.Labels) > 0 && db.Engine == store.SQLite {
		for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
			// Labels are stored as json.Marshal writes them, and neither keys nor
			// values hold a quote: the pair's text finds it, scanning far faster
			// than json_extract, which confirms it.
			pair, _ := json.Marshal(map[string]string{k: f.Labels[k]})
			text := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(string(pair[1 : len(pair)-1]))
			args = append(args, "%"+text+"%", db.LabelKey(k), f.Labels[k])
			conds = append(conds, fmt.Sprintf(`d.labels LIKE $%d ESCAPE '\' AND json_extract(d.labels, $%d) = $%d`,
				len(args)-2, len(args)-1, len(args)))
		}
	}
	if f.Online != nil {
		args = append(args, f.OfflineBefore)
		if *f.Online {
			conds = append(conds, fmt.Sprintf(`d.last_seen_at >= $%d`, len(args)))
		} else {
			conds = append(conds, fmt.Sprintf(`(d.last_seen_at IS NULL OR d.last_seen_at < $%d)`, len(args)))
		}
	}
	if f.Q != "" {
		cond, pattern := listing.Search(db, len(args)+1, f.Q, "d.name", "d.uuid", "d.labels")
		args = append(args, pattern)
		conds = append(conds, cond)
	}
	return conds, args
}
