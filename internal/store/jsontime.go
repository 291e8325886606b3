package store

import "time"

// JSONTime is t as a JSON row of a bulk write carries it (see JSONRows):
// the text each engine stores for a timestamp argument, so a row written
// this way compares and reads back as one written with a bound time.
func (db *DB) JSONTime(t time.Time) string {
	if db.Engine == SQLite {
		return sqliteTime(t)
	}
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano) // PostgreSQL would round, as a bound time is truncated
}
