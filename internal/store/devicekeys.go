package store

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceByKey returns the device whose key is secret together with the
// version of its target state: one lookup on the unique key-hash index
// authenticates a poll and answers most of them (304).
func (db *DB) DeviceByKey(ctx context.Context, secret string) (airlock.DeviceSession, error) {
	var s airlock.DeviceSession
	var seen nullTime
	err := db.queryRow(ctx, `SELECT d.uuid, d.created_at, d.last_seen_at, COALESCE(t.version, 0)
		FROM devices d LEFT JOIN device_target_state t ON t.device_uuid = d.uuid
		WHERE d.api_key_hash = $1`, HashSecret(secret)).Scan(&s.UUID, (*timeScan)(&s.CreatedAt), &seen, &s.Version)
	if err != nil {
		return s, notFound(err, "no device has this key")
	}
	s.LastSeenAt = seen.ptr()
	return s, nil
}
