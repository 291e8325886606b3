package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.Engine)
	if err != nil {
		return nil, err
	}
	if db.Engine == SQLite {
		return goose.NewProvider(goose.DialectSQLite3, db.write, fsys)
	}
	// The session lock makes concurrent starts of several replicas take turns.
	// Its id is per schema, so that tests on separate schemas do not queue.
	var schema string
	if err := db.write.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, WrapErr(fmt.Errorf("current schema: %w", err))
	}
	h := fnv.New64a()
	h.Write([]byte("airlock-migrate:" + schema))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db.write, fsys, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, WrapErr(fmt.Errorf("migrate: %w", err))
	}
	return len(res), nil
}

// SchemaCurrent reports an error unless the database answers and has every migration applied.
func (db *DB) SchemaCurrent(ctx context.Context) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	p, err := db.provider(ctx)
	if err != nil {
		return airlock.Errorf(airlock.EUNAVAILABLE, "database unreachable")
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return airlock.Errorf(airlock.EUNAVAILABLE, "database unreachable")
	}
	if pending {
		return airlock.Errorf(airlock.EUNAVAILABLE, "schema has pending migrations")
	}
	return nil
}
