package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

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

// where renders f as SQL conditions over the events table.
func eventWhere(f airlock.EventFilter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for col, pattern := range map[string]string{"type": f.Type, "subject": f.Subject} {
		if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
			if prefix != "" { // substr rather than LIKE: types hold "_", LIKE's wildcard
				conds = append(conds, fmt.Sprintf("substr(%s, 1, %s) = %s", col, arg(utf8.RuneCountInString(prefix)), arg(prefix)))
			}
		} else if pattern != "" {
			conds = append(conds, col+" = "+arg(pattern))
		}
	}
	if f.After > 0 {
		conds = append(conds, "id > "+arg(f.After))
	}
	if f.Before > 0 {
		conds = append(conds, "id < "+arg(f.Before))
	}
	if len(conds) == 0 {
		return "", nil
	}
	slices.Sort(conds) // map order must not change the statement text (statement cache)
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Events lists events oldest first, with the number matching. With After
// the page is the first Limit events after it; otherwise the latest Limit.
func (db *DB) Events(ctx context.Context, f airlock.EventFilter) ([]airlock.Event, int, error) {
	where, args := eventWhere(f)
	var total int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM events`+where, args...).Scan(&total); err != nil {
		return nil, 0, WrapErr(fmt.Errorf("count events: %w", err))
	}
	order := "ASC"
	if f.After == 0 {
		order = "DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM events%s ORDER BY id %s LIMIT $%d`, eventCols, where, order, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	evs, err := Collect(rows, scanEvent)
	if order == "DESC" {
		slices.Reverse(evs)
	}
	return evs, total, err
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
