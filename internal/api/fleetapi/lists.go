package fleetapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// ListDevices serves GET /api/v1/devices: filters (labels, online, q),
// sort, and paging by offset or, at any depth, by ?after=.
func ListDevices(w http.ResponseWriter, r *http.Request,
	list func(context.Context, airlock.DeviceQuery) (airlock.Page[airlock.DeviceListItem], error)) error {
	var q airlock.DeviceQuery
	var err error
	if q.Limit, err = httpx.QueryInt(r, "limit", 50, 1000); err != nil {
		return err
	}
	if q.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	v := r.URL.Query()
	if q.Labels, err = labelSelector(v.Get("labels")); err != nil {
		return err
	}
	switch o := v.Get("online"); o {
	case "":
	case "true", "false":
		online := o == "true"
		q.Online = &online
	default:
		return airlock.FieldErrorf("online", "must be true or false, got %q", o)
	}
	q.After, q.Q, q.Sort = v.Get("after"), strings.TrimSpace(v.Get("q")), v.Get("sort")
	page, err := list(r.Context(), q)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// labelSelector parses "key=value,key2=value2": a device must carry every pair.
func labelSelector(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return nil, airlock.FieldErrorf("labels", "want key=value pairs separated by commas, got %q", pair)
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}

// ListRollouts serves GET /api/v1/rollouts: status (comma-separated),
// image, q, sort, and paging by offset or by ?after=<id>.
func ListRollouts(w http.ResponseWriter, r *http.Request,
	list func(context.Context, airlock.RolloutFilter) (airlock.Page[airlock.Rollout], error)) error {
	v := r.URL.Query()
	f := airlock.RolloutFilter{Status: v.Get("status"), Image: v.Get("image"), Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 50, 500); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	after, err := httpx.QueryInt(r, "after", 0, 0)
	if err != nil {
		return err
	}
	f.After = int64(after)
	page, err := list(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// ListRolloutDevices serves GET /api/v1/rollouts/{id}/devices: status and
// batch filters, paging by offset or by ?after= (the previous page's next).
func ListRolloutDevices(w http.ResponseWriter, r *http.Request,
	list func(context.Context, int64, airlock.RolloutDeviceFilter) (airlock.Page[airlock.RolloutDevice], error)) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f := airlock.RolloutDeviceFilter{Status: r.URL.Query().Get("status"), After: r.URL.Query().Get("after")}
	if f.Batch, err = httpx.QueryInt(r, "batch", 0, 0); err != nil {
		return err
	}
	if f.Limit, err = httpx.QueryInt(r, "limit", 100, 1000); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	page, err := list(r.Context(), id, f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}
