package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceByKey returns the device whose key is secret together with the
// version of its target state: one lookup on the unique key-hash index
// authenticates a poll and answers most of them (304).
func (db *DB) DeviceByKey(ctx context.Context, secret string) (airlock.DeviceSession, error) {
	hash := HashSecret(secret)
	if s, ok := db.cachedSession(ctx, hash); ok {
		return s, nil
	}
	var mark uint64
	if db.sessions != nil {
		mark = db.sessions.Mark()
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
		db.sessions.Put(hash, s, mark)
	}
	return s, nil
}

// cachedSession is the cached session of a key hash, if one may be served.
func (db *DB) cachedSession(ctx context.Context, hash string) (airlock.DeviceSession, bool) {
	if db.shared != nil {
		db.shared.Start(db.listenSessions)
		return db.shared.Serve(ctx, hash)
	}
	if db.sessions != nil {
		return db.sessions.Get(hash)
	}
	return airlock.DeviceSession{}, false
}

// TouchDevices records that the devices were seen at the given time. It is
// one statement per thousand devices, not a write per poll.
func (db *DB) TouchDevices(ctx context.Context, uuids []string, at time.Time) error {
	for chunk := range slices.Chunk(uuids, 1000) {
		args := make([]any, 0, len(chunk)+2)
		args = append(args, at)
		for _, u := range chunk {
			args = append(args, u)
		}
		args = append(args, at)
		q := `UPDATE devices SET last_seen_at = ` + db.Param(1) + ` WHERE uuid IN (` + db.ParamList(2, len(chunk)) +
			`) AND (last_seen_at IS NULL OR last_seen_at < ` + db.Param(len(args)) + `)`
		if _, err := db.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("touch devices: %w", err)
		}
	}
	if db.sessions != nil {
		db.sessions.Seen(uuids, at)
	}
	return nil
}
