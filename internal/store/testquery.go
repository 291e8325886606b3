package store

import "context"

// QueryInt scans a single integer, for tests and diagnostics.
func (db *DB) QueryInt(ctx context.Context, dst *int, q string, args ...any) error {
	return WrapErr(db.QueryRow(ctx, q, args...).Scan(dst))
}

// QueryStrings returns the first column of every row, for tests and diagnostics.
func (db *DB) QueryStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(s Scanner) (string, error) {
		var v string
		return v, s.Scan(&v)
	})
}
