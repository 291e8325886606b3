package store

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceByKey returns the device whose key is secret together with the
// version of its target state: one lookup on the unique key-hash index
// authenticates a poll and answers most of them (304).
func (db *DB) DeviceByKey(ctx context.Context, secret string) (airlock.DeviceSession, error) {
	hash := HashSecret(secret)
	var gen uint64
	if db.sessions != nil {
		if s, ok := db.sessions.get(hash); ok {
			return s, nil
		}
		gen = db.sessions.gen.Load()
	}
	var s airlock.DeviceSession
	var seen NullTime
	err := db.QueryRow(ctx, `SELECT d.uuid, d.created_at, d.last_seen_at, COALESCE(t.version, 0)
		FROM devices d LEFT JOIN device_target_state t ON t.device_uuid = d.uuid
		WHERE d.api_key_hash = $1`, hash).Scan(&s.UUID, (*TimeScan)(&s.CreatedAt), &seen, &s.Version)
	if err != nil {
		return s, NotFound(err, "no device has this key")
	}
	s.LastSeenAt = seen.Ptr()
	if db.sessions != nil {
		db.sessions.put(hash, s, gen)
	}
	return s, nil
}
