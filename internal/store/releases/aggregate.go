package releases

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/store"
)

// devicePlatform is a device's platform: the one set or reported, else its architecture.
const devicePlatform = `CASE WHEN d.platform <> '' THEN d.platform ELSE d.architecture END`

// ImagePlatform is how many devices run an image of a repository on one platform.
type ImagePlatform struct {
	Image, Platform string
	Devices         int
}

// ImagePlatforms counts, per image of repository and device platform, the
// devices whose target state runs it: what a release is decided on over a
// fleet too large to read device by device. A device has one platform, so
// the counts of an image add up to its distinct devices. Without
// withPlatforms (the release's platforms are unknown, so no device is
// skipped) every platform is "" and the devices table is not read.
func ImagePlatforms(ctx context.Context, tx *store.Tx, repository string, withPlatforms bool) ([]ImagePlatform, error) {
	query := `SELECT image, COUNT(DISTINCT device_uuid) FROM device_target_apps WHERE repository = $1
		GROUP BY image ORDER BY 1`
	if withPlatforms {
		query = `SELECT a.image, ` + devicePlatform + `, COUNT(DISTINCT a.device_uuid)
		FROM device_target_apps a JOIN devices d ON d.uuid = a.device_uuid WHERE a.repository = $1
		GROUP BY a.image, ` + devicePlatform + ` ORDER BY 1, 2`
	}
	rows, err := tx.Query(ctx, query, repository)
	if err != nil {
		return nil, fmt.Errorf("image platforms: %w", err)
	}
	return store.Collect(rows, func(s store.Scanner) (ImagePlatform, error) {
		var x ImagePlatform
		if !withPlatforms {
			return x, s.Scan(&x.Image, &x.Devices)
		}
		return x, s.Scan(&x.Image, &x.Platform, &x.Devices)
	})
}

// PlatformsBetween returns the platform of every device whose uuid is in
// [lo, hi]: one planner chunk's devices.
func PlatformsBetween(ctx context.Context, tx *store.Tx, lo, hi string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT d.uuid, `+devicePlatform+` FROM devices d WHERE d.uuid >= $1 AND d.uuid <= $2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("device platforms: %w", err)
	}
	return scanPlatforms(rows)
}

// RolloutPlatforms returns the platforms of the release whose decision
// created rollout id, and whether a release did: a rollout created by
// hand has none, and skips no device.
func RolloutPlatforms(ctx context.Context, tx *store.Tx, rolloutID int64) ([]platform.Platform, bool, error) {
	rows, err := tx.Query(ctx, `SELECT r.platforms FROM releases r
		JOIN image_update_rollouts ro ON ro.release_id = r.id WHERE ro.id = $1`, rolloutID)
	if err != nil {
		return nil, false, fmt.Errorf("rollout platforms: %w", err)
	}
	list, err := store.Collect(rows, func(s store.Scanner) (string, error) {
		var p string
		return p, s.Scan(&p)
	})
	if err != nil || len(list) == 0 {
		return nil, false, err
	}
	var ps []platform.Platform
	if err := json.Unmarshal([]byte(list[0]), &ps); err != nil {
		return nil, false, fmt.Errorf("rollout platforms: %w", err)
	}
	return ps, true, nil
}
