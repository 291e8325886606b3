// Package overview reads what the fleet overview sums up: every device
// app's target and reported state, and each image's latest ready release.
package overview

import (
	"context"
	"encoding/json"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/overview"
	"github.com/airlock-iot/airlock/internal/store"
)

// Apps returns every device app with a target, with what it last reported.
func Apps(ctx context.Context, db *store.DB) ([]overview.App, error) {
	rows, err := db.Query(ctx, `SELECT a.device_uuid, a.repository, a.image, a.app, COALESCE(c.state, '')
		FROM device_target_apps a LEFT JOIN device_current_state c ON c.device_uuid = a.device_uuid
		ORDER BY a.device_uuid`)
	if err != nil {
		return nil, err
	}
	// A device's report is decoded once for all its apps.
	var uuid string
	var report airlock.DeviceReport
	return store.Collect(rows, func(s store.Scanner) (overview.App, error) {
		var a overview.App
		var device, app, state string
		if err := s.Scan(&device, &a.Repository, &a.Target, &app, &state); err != nil {
			return a, err
		}
		if device != uuid {
			uuid, report = device, airlock.DeviceReport{}
			if state != "" {
				// A report that does not decode leaves the app unreported, as before its first report.
				_ = json.Unmarshal([]byte(state), &report)
			}
		}
		if r, ok := report.Apps[app]; ok {
			a.Current, a.Digest, a.Status, a.Health = r.Image, r.Digest, r.Status, r.Health
		}
		return a, nil
	})
}

// Latest returns each repository's newest ready release, by repository.
func Latest(ctx context.Context, db *store.DB) (map[string]overview.Latest, error) {
	rows, err := db.Query(ctx, `SELECT r.registry, r.namespace, r.image_name, r.id, r.tag, r.digest, r.pinned FROM releases r
		WHERE r.id IN (SELECT MAX(id) FROM releases WHERE status = 'ready' GROUP BY registry, namespace, image_name)`)
	if err != nil {
		return nil, err
	}
	type repoLatest struct {
		repo   string
		latest overview.Latest
	}
	list, err := store.Collect(rows, func(s store.Scanner) (repoLatest, error) {
		var x repoLatest
		var registry, namespace, name string
		var pinned bool
		err := s.Scan(&registry, &namespace, &name, &x.latest.ReleaseID, &x.latest.Tag, &x.latest.Digest, &pinned)
		if !pinned {
			x.latest.Digest = ""
		}
		x.repo = registry + "/" + name
		if namespace != "" {
			x.repo = registry + "/" + namespace + "/" + name
		}
		return x, err
	})
	out := make(map[string]overview.Latest, len(list))
	for _, x := range list {
		out[x.repo] = x.latest
	}
	return out, err
}
