package store

import (
	"context"
)

// DeviceByKey returns the uuid of the device whose key is secret, by its hash
// on a unique index.
func (db *DB) DeviceByKey(ctx context.Context, secret string) (string, error) {
	var uuid string
	err := db.queryRow(ctx, `SELECT uuid FROM devices WHERE api_key_hash = $1`, HashSecret(secret)).Scan(&uuid)
	if err != nil {
		return "", notFound(err, "no device has this key")
	}
	return uuid, nil
}
