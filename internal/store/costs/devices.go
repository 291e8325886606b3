package costs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/store"
)

// Device is one device app of a rollout as cost sees it: where it pulls
// from (Previous, the image it ran), its platform and labels, and how far
// it got.
type Device struct {
	RolloutID int64
	Digest    string // the rollout's content
	UUID      string
	Platform  string // OCI form, else its architecture; "" when unknown
	Labels    map[string]string
	Previous  string
	Status    string
	UpdatedAt time.Time
}

// Reported reports whether the device said it runs the new image: it is
// baking it or succeeded.
func (d Device) Reported() bool { return d.Status == "baking" || d.Status == "succeeded" }

const deviceCols = `rd.rollout_id, ro.digest, rd.device_uuid,
	CASE WHEN d.platform <> '' THEN d.platform ELSE d.architecture END, d.labels, rd.previous_image, rd.status,
	rd.updated_at FROM rollout_devices rd JOIN image_update_rollouts ro ON ro.id = rd.rollout_id
	JOIN devices d ON d.uuid = rd.device_uuid`

// RolloutDevices lists rollout id's device apps, skipped ones left out:
// they download nothing.
func RolloutDevices(ctx context.Context, q querier, rolloutID int64) ([]Device, error) {
	return devices(ctx, q, `SELECT `+deviceCols+` WHERE rd.rollout_id = $1 AND rd.status <> 'skipped'
		ORDER BY rd.device_uuid, rd.app`, rolloutID)
}

// ImageDevices lists the device apps of every rollout of image id that
// reported the new image: what that image's actual cost is made of.
func ImageDevices(ctx context.Context, q querier, imageID int64) ([]Device, error) {
	return devices(ctx, q, `SELECT `+deviceCols+` JOIN images i ON i.registry = ro.registry
		AND i.namespace = ro.namespace AND i.image_name = ro.image_name
		WHERE i.id = $1 AND rd.status IN ('baking', 'succeeded') ORDER BY rd.updated_at`, imageID)
}

func devices(ctx context.Context, q querier, query string, arg int64) ([]Device, error) {
	rows, err := q.Query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("rollout devices: %w", err)
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		var d Device
		var labels string
		if err := rows.Scan(&d.RolloutID, &d.Digest, &d.UUID, &d.Platform, &labels, &d.Previous, &d.Status,
			(*store.TimeScan)(&d.UpdatedAt)); err != nil {
			return nil, store.WrapErr(err)
		}
		if err := json.Unmarshal([]byte(labels), &d.Labels); err != nil {
			return nil, fmt.Errorf("labels of %s: %w", d.UUID, err)
		}
		out = append(out, d)
	}
	return out, store.WrapErr(rows.Err())
}
