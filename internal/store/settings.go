package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting returns a stored setting and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, WrapErr(err)
}

// SettingOrInit returns the stored value of key, storing value first when
// there is none. Concurrent first starts agree on one value.
func (db *DB) SettingOrInit(ctx context.Context, key, value string) (stored string, created bool, err error) {
	res, err := db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return "", false, err
	}
	n, _ := res.RowsAffected()
	stored, _, err = db.Setting(ctx, key)
	return stored, n == 1, err
}
