// Package audit reads the audit trail by page: the events list and its
// export share one filter and one scan.
package audit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/listing"
)

const cols = `id, type, subject, actor, payload, created_at`

func scan(s store.Scanner) (airlock.Event, error) {
	var e airlock.Event
	var payload string
	err := s.Scan(&e.ID, &e.Type, &e.Subject, &e.Actor, &payload, (*store.TimeScan)(&e.CreatedAt))
	e.Payload = []byte(payload)
	return e, err
}

// where renders f as SQL conditions over the events table: type and
// subject exact or a prefix ending in "*", and the id bounds.
func where(f airlock.EventFilter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, c := range []struct{ col, pattern string }{{"type", f.Type}, {"subject", f.Subject}} {
		if prefix, ok := strings.CutSuffix(c.pattern, "*"); ok {
			if prefix != "" { // substr rather than LIKE: types hold "_", LIKE's wildcard
				conds = append(conds, fmt.Sprintf("substr(%s, 1, %s) = %s", c.col, arg(utf8.RuneCountInString(prefix)), arg(prefix)))
			}
		} else if c.pattern != "" {
			conds = append(conds, c.col+" = "+arg(c.pattern))
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
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List is a page of events, oldest first. With After it is the first Limit
// events after it, and Next, when the page is full, the After of the one
// that follows; otherwise it is the latest Limit events (before Before, if
// set), and older ones are had with ?before= the first id. The total is
// exact up to listing.CountCap, an estimate past it.
func List(ctx context.Context, db *store.DB, f airlock.EventFilter) (airlock.Page[airlock.Event], error) {
	var page airlock.Page[airlock.Event]
	cond, args := where(f)
	var err error
	if page.Total, page.TotalEstimated, err = listing.Total(ctx, db, "events", cond, args); err != nil {
		return page, fmt.Errorf("count events: %w", err)
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
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM events%s ORDER BY id %s LIMIT $%d`, cols, cond, order, len(args)), args...)
	if err != nil {
		return page, fmt.Errorf("list events: %w", err)
	}
	if page.Items, err = store.Collect(rows, scan); err != nil {
		return page, err
	}
	if order == "DESC" {
		slices.Reverse(page.Items)
	} else if len(page.Items) == limit {
		page.Next = strconv.FormatInt(page.Items[limit-1].ID, 10)
	}
	return page, nil
}

// Export returns up to limit events of f's type and subject with ids above
// after, oldest first: one page of an audit export.
func Export(ctx context.Context, db *store.DB, f airlock.EventFilter, after int64, limit int) ([]airlock.Event, error) {
	f.After, f.Before = after, 0
	cond, args := where(f)
	args = append(args, limit)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM events%s ORDER BY id LIMIT $%d`, cols, cond, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	return store.Collect(rows, scan)
}
