package store

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const eventCols = `id, type, subject, actor, payload, created_at`

func scanEvent(s Scanner) (airlock.Event, error) {
	var e airlock.Event
	var payload string
	err := s.Scan(&e.ID, &e.Type, &e.Subject, &e.Actor, &payload, (*TimeScan)(&e.CreatedAt))
	e.Payload = []byte(payload)
	return e, err
}

// EventsAfter returns up to limit events with ids above after, in id order.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]airlock.Event, error) {
	rows, err := db.Query(ctx, `SELECT `+eventCols+` FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, err)
	}
	return Collect(rows, scanEvent)
}

// LastEventID returns the highest event id committed, 0 when there is none.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id)
	return id, WrapErr(err)
}

// SetSetting stores value under key, replacing what was there.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}
