package store

import (
	"context"

	"github.com/airlock-iot/airlock/internal/store/sessioncache"
)

// The sessions channel is per schema, like the events channel: see
// sessioncache for what travels on it.
const sessionsChannel = `'airlock_sessions:' || current_schema()`

// pingSessions sends a barrier: it need not survive a crash, so it skips
// waiting for the disk.
func (db *DB) pingSessions(ctx context.Context, payload string) error {
	_, err := db.Exec(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_notify(`+sessionsChannel+`, $1)`, payload)
	return err
}

func (db *DB) listenSessions(ctx context.Context, ready func(), note func(string)) error {
	return db.listen(ctx, sessionsChannel, ready, note)
}

// notifySessions tells every replica, within the transaction, which
// devices it changed.
func (tx *Tx) notifySessions(ctx context.Context) error {
	if tx.db.shared == nil || !tx.changedAll && len(tx.changed) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify(`+sessionsChannel+`, p) FROM unnest($1::text[]) p`,
		sessioncache.Payloads(tx.changed, tx.changedAll))
	return err
}

// forgetSessions drops the sessions the transaction changed once it has
// committed (or failed to: a failed commit may still have written). On
// PostgreSQL it then waits for the other replicas to have heard of it.
func (tx *Tx) forgetSessions() {
	if !tx.changedAll && len(tx.changed) == 0 || tx.db.sessions == nil {
		return
	}
	if tx.changedAll {
		tx.changed = nil
	}
	tx.db.sessions.Invalidate(tx.changed)
	if tx.db.shared != nil {
		tx.db.shared.AfterCommit(context.Background())
	}
}

// NoSessionCache turns the session cache off, for benchmarks that measure
// what it saves. Call it before serving.
func (db *DB) NoSessionCache() { db.sessions, db.shared = nil, nil }
