package rollouts

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/listing"
)

// Rollouts lists a page of the rollouts matching f, newest first unless
// f.Sort is "created", with their device counts. f.Status may list several
// statuses, comma-separated; f.After is the id of the last rollout of the
// previous page.
func Rollouts(ctx context.Context, db *store.DB, f airlock.RolloutFilter) (airlock.Page[airlock.Rollout], error) {
	var page airlock.Page[airlock.Rollout]
	var conds []string
	var args []any
	if f.Status != "" {
		statuses := strings.Split(f.Status, ",")
		for _, s := range statuses {
			args = append(args, s)
		}
		conds = append(conds, "status IN ("+db.ParamList(len(args)-len(statuses)+1, len(statuses))+")")
	}
	if f.Image != "" {
		args = append(args, f.Image)
		conds = append(conds, fmt.Sprintf(`(registry || '/' || CASE WHEN namespace = '' THEN '' ELSE namespace || '/' END
			|| image_name) = $%d`, len(args)))
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(f.Q, "#"), 10, 64); err == nil && strings.HasPrefix(f.Q, "#") {
		args = append(args, id)
		conds = append(conds, fmt.Sprintf("id = $%d", len(args)))
	} else if f.Q != "" {
		cond, pattern := listing.Search(db, len(args)+1, f.Q, `(registry || '/' || CASE WHEN namespace = '' THEN '' ELSE namespace || '/' END
			|| image_name || ':' || tag)`)
		args = append(args, pattern)
		conds = append(conds, cond)
	}
	var err error
	if page.Total, page.TotalEstimated, err = listing.Total(ctx, db, "image_update_rollouts", where(conds), args); err != nil {
		return page, err
	}
	dir, cmp := "DESC", "<"
	if f.Sort == "created" {
		dir, cmp = "ASC", ">"
	}
	if f.After > 0 {
		args = append(args, f.After)
		conds = append(conds, fmt.Sprintf("id %s $%d", cmp, len(args)))
	}
	n := len(args)
	q := fmt.Sprintf(`SELECT %%s FROM image_update_rollouts%s ORDER BY id %s LIMIT $%d OFFSET $%d`, where(conds), dir, n+1, n+2)
	args = append(args, f.Limit, f.Offset)
	rows, err := db.Query(ctx, fmt.Sprintf(q, rolloutCols), args...)
	if err != nil {
		return page, err
	}
	if page.Items, err = store.Collect(rows, scanRollout); err != nil || len(page.Items) == 0 {
		return page, err
	}
	if len(page.Items) == f.Limit {
		page.Next = strconv.FormatInt(page.Items[len(page.Items)-1].ID, 10)
	}
	return page, countDevices(ctx, db, page.Items, fmt.Sprintf(q, "id"), args)
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// RolloutDevices lists a page of the devices of a rollout by batch, device
// and app. f.After is the previous page's Next: "batch/device/app".
func RolloutDevices(ctx context.Context, db *store.DB, id int64, f airlock.RolloutDeviceFilter) (airlock.Page[airlock.RolloutDevice], error) {
	var page airlock.Page[airlock.RolloutDevice]
	conds, args := []string{"rollout_id = $1"}, []any{id}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf("status = $%d", len(args)))
	}
	if f.Batch > 0 {
		args = append(args, f.Batch)
		conds = append(conds, fmt.Sprintf("batch = $%d", len(args)))
	}
	var err error
	if page.Total, page.TotalEstimated, err = listing.Total(ctx, db, "rollout_devices", where(conds), args); err != nil {
		return page, err
	}
	if f.After != "" {
		batch, uuid, app, err := parseDeviceCursor(f.After)
		if err != nil {
			return page, err
		}
		args = append(args, batch, uuid, app)
		conds = append(conds, fmt.Sprintf("(batch, device_uuid, app) > ($%d, $%d, $%d)", len(args)-2, len(args)-1, len(args)))
	}
	n := len(args)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s, COALESCE((SELECT name FROM devices WHERE uuid = rollout_devices.device_uuid), '')
		FROM rollout_devices%s ORDER BY batch, device_uuid, app LIMIT $%d OFFSET $%d`, rolloutDeviceCols, where(conds), n+1, n+2),
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return page, err
	}
	page.Items, err = store.Collect(rows, func(s store.Scanner) (airlock.RolloutDevice, error) {
		var name string
		d, err := scanRolloutDeviceWith(s, &name)
		d.DeviceName = name
		return d, err
	})
	if err != nil {
		return page, err
	}
	if k := len(page.Items); k == f.Limit && k > 0 {
		last := page.Items[k-1]
		page.Next = fmt.Sprintf("%d/%s/%s", last.Batch, last.DeviceUUID, last.App)
	}
	return page, nil
}

// parseDeviceCursor reads a rollout-device cursor, "batch/device/app".
func parseDeviceCursor(s string) (batch int, uuid, app string, err error) {
	parts := strings.SplitN(s, "/", 3)
	if len(parts) == 3 {
		batch, err = strconv.Atoi(parts[0])
	}
	if len(parts) != 3 || err != nil || parts[1] == "" || parts[2] == "" {
		return 0, "", "", airlock.FieldErrorf("after", "want the next of the previous page (batch/device/app), got %q", s)
	}
	return batch, parts[1], parts[2], nil
}
