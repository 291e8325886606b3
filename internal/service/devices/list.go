package devices

import (
	"context"
	"maps"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// List lists a page of devices, each with its apps and health; q.Online
// filters by the offline threshold.
func (s Devices) List(ctx context.Context, q airlock.DeviceQuery) (airlock.Page[airlock.DeviceListItem], error) {
	var out airlock.Page[airlock.DeviceListItem]
	for k := range q.Labels { // no device can carry another key, and SQLite's JSON paths cannot quote every one
		if !labelKeyRe.MatchString(k) {
			return out, airlock.FieldErrorf("labels", "label key %q: 1 to 63 letters, digits, '.', '_', '/' or '-', starting with a letter or digit", k)
		}
	}
	if !fleet.DeviceSortValid(q.Sort) {
		return out, airlock.FieldErrorf("sort", "want created, name or uuid, with a leading - for descending; got %q", q.Sort)
	}
	if len(q.Q) > 200 {
		return out, airlock.FieldErrorf("q", "must be at most 200 characters")
	}
	q.OfflineBefore = s.DB.Now().Add(-s.offlineAfter())
	page, err := fleet.DeviceRows(ctx, s.DB, q)
	if err != nil {
		return out, err
	}
	out = airlock.Page[airlock.DeviceListItem]{Total: page.Total, TotalEstimated: page.TotalEstimated, Next: page.Next,
		Items: make([]airlock.DeviceListItem, len(page.Items))}
	for i, r := range page.Items {
		item := airlock.DeviceListItem{Device: r.Device}
		item.Online = s.online(r.Device.LastSeenAt)
		item.Apps, item.Health = DeviceHealth(r.Target, r.Report)
		if r.Report != nil {
			item.ReportedAt = &r.Report.ReportedAt
		}
		out.Items[i] = item
	}
	return out, nil
}

// DeviceHealth pairs each app's target image with what the device last
// reported of it, and sums the device up: unknown until it reports,
// unhealthy when an app reports unhealthy or failed, updating while an app
// does not run its target image, healthy otherwise.
func DeviceHealth(target map[string]airlock.AppSpec, report *airlock.DeviceReport) ([]airlock.DeviceApp, string) {
	var reported map[string]airlock.AppReport
	if report != nil {
		reported = report.Apps
	}
	names := slices.Sorted(maps.Keys(target))
	for name := range reported {
		if _, ok := target[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	apps := make([]airlock.DeviceApp, 0, len(names))
	unhealthy, updating := false, false
	for _, name := range names {
		a := airlock.DeviceApp{App: name, TargetImage: target[name].Image()}
		if r, ok := reported[name]; ok {
			a.CurrentImage, a.Status, a.Healthy = r.Image, r.Status, r.Healthy
			unhealthy = unhealthy || !r.Healthy || r.Status == "failed"
		}
		updating = updating || (a.TargetImage != "" && a.TargetImage != a.CurrentImage)
		apps = append(apps, a)
	}
	switch {
	case report == nil:
		return apps, airlock.HealthUnknown
	case unhealthy:
		return apps, airlock.HealthUnhealthy
	case updating:
		return apps, airlock.HealthUpdating
	}
	return apps, airlock.HealthHealthy
}
