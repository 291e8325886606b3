package store

import (
	"fmt"
	"time"
)

type scanner interface{ Scan(dest ...any) error }

// collect scans every row with scan and closes rows.
func collect[T any](rows *dbRows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, wrapErr(rows.Err())
}

// timeScan reads a timestamp from either engine: PostgreSQL and SQLite's
// declared TIMESTAMP columns give time.Time, SQLite expressions give text.
type timeScan time.Time

func (t *timeScan) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t = timeScan(v.UTC())
	case string:
		p, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fmt.Errorf("parse time %q: %w", v, err)
		}
		*t = timeScan(p.UTC())
	default:
		return fmt.Errorf("cannot scan %T into time", src)
	}
	return nil
}

// nullTime is a nullable timeScan.
type nullTime struct {
	t     time.Time
	valid bool
}

func (n *nullTime) Scan(src any) error {
	if src == nil {
		n.valid = false
		return nil
	}
	n.valid = true
	return (*timeScan)(&n.t).Scan(src)
}

func (n nullTime) ptr() *time.Time {
	if !n.valid {
		return nil
	}
	return &n.t
}
