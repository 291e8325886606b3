package store

import (
	"context"
	"fmt"
	"time"
)

type Scanner interface{ Scan(dest ...any) error }

// Collect scans every row with scan and closes rows.
func Collect[T any](rows *Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, WrapErr(rows.Err())
}

// TimeScan reads a timestamp from either engine: PostgreSQL and SQLite's
// declared TIMESTAMP columns give time.Time, SQLite expressions give text.
type TimeScan time.Time

func (t *TimeScan) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t = TimeScan(v.UTC())
	case string:
		p, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fmt.Errorf("parse time %q: %w", v, err)
		}
		*t = TimeScan(p.UTC())
	default:
		return fmt.Errorf("cannot scan %T into time", src)
	}
	return nil
}

// NullTime is a nullable TimeScan.
type NullTime struct {
	t     time.Time
	valid bool
}

func (n *NullTime) Scan(src any) error {
	if src == nil {
		n.valid = false
		return nil
	}
	n.valid = true
	return (*TimeScan)(&n.t).Scan(src)
}

func (n NullTime) Ptr() *time.Time {
	if !n.valid {
		return nil
	}
	return &n.t
}

// Querier runs a query in a transaction or outside one.
type Querier interface {
	Query(ctx context.Context, q string, args ...any) (*Rows, error)
}
