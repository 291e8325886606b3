package supply

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

// ExportEvents returns up to limit events with ids above after, oldest
// first, of f's type and subject (exact, or a prefix ending in "*"): one
// page of an audit export.
func ExportEvents(ctx context.Context, db *store.DB, f airlock.EventFilter, after int64, limit int) ([]airlock.Event, error) {
	conds, args := []string{"id > $1"}, []any{after}
	for _, c := range []struct{ col, pattern string }{{"type", f.Type}, {"subject", f.Subject}} {
		if prefix, ok := strings.CutSuffix(c.pattern, "*"); ok && prefix != "" {
			args = append(args, utf8.RuneCountInString(prefix), prefix)
			conds = append(conds, fmt.Sprintf("substr(%s, 1, $%d) = $%d", c.col, len(args)-1, len(args)))
		} else if !ok && c.pattern != "" {
			args = append(args, c.pattern)
			conds = append(conds, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	args = append(args, limit)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT id, type, subject, actor, payload, created_at FROM events
		WHERE %s ORDER BY id LIMIT $%d`, strings.Join(conds, " AND "), len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	return store.Collect(rows, func(s store.Scanner) (airlock.Event, error) {
		var e airlock.Event
		var payload string
		err := s.Scan(&e.ID, &e.Type, &e.Subject, &e.Actor, &payload, (*store.TimeScan)(&e.CreatedAt))
		e.Payload = []byte(payload)
		return e, err
	})
}
