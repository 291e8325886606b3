package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceByKey returns the device whose key is secret together with the
// version of its target state: one lookup on the unique key-hash index
// authenticates a poll and answers most of them (304). On SQLite the
// session cache answers most lookups; on PostgreSQL, where other replicas
// write, each is read, lookups arriving together sharing one query.
func (db *DB) DeviceByKey(ctx context.Context, secret string) (airlock.DeviceSession, error) {
	hash := HashSecret(secret)
	var mark uint64
	if db.sessions != nil {
		if s, ok := db.sessions.Get(hash); ok {
			return s, nil
		}
		mark = db.sessions.Mark()
	}
	if db.keys != nil {
		s, ok, err := db.keys.Get(ctx, hash)
		if err == nil && !ok {
			err = airlock.Errorf(airlock.ENOTFOUND, "no device has this key")
		}
		return s, err
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

// sessionsByKeys looks up the sessions of many key hashes in one query:
// on PostgreSQL, polls arriving together share a round trip (see batch).
func (db *DB) sessionsByKeys(ctx context.Context, hashes []string) (map[string]airlock.DeviceSession, error) {
	list, err := json.Marshal(hashes)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT d.api_key_hash, d.uuid, d.created_at, d.last_seen_at, COALESCE(t.version, 0)
		FROM devices d LEFT JOIN device_target_state t ON t.device_uuid = d.uuid
		WHERE d.api_key_hash IN (`+db.JSONStrings(1)+`)`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]airlock.DeviceSession, len(hashes))
	for rows.Next() {
		var hash string
		var s airlock.DeviceSession
		var seen NullTime
		if err := rows.Scan(&hash, &s.UUID, (*TimeScan)(&s.CreatedAt), &seen, &s.Version); err != nil {
			return nil, WrapErr(err)
		}
		s.LastSeenAt = seen.Ptr()
		out[hash] = s
	}
	return out, WrapErr(rows.Err())
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
