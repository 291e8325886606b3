// Package store is the one place with SQL. It opens SQLite (the embedded
// default) or PostgreSQL, applies the embedded migrations, and runs every use
// case in one transaction. Queries use $N placeholders, which both engines accept.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store/sessioncache"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is an open database. SQLite gets a single writer connection (so writers
// queue in Go rather than fail with SQLITE_BUSY) and a pool of readers.
type DB struct {
	Engine string
	write  *sql.DB
	read   *sql.DB
	now    func() time.Time

	writeStmts, readStmts *stmtCache // SQLite only
	sessions              *sessioncache.Cache
	shared                *sessioncache.Shared // PostgreSQL: sessions, kept in step with other replicas

	afterCommit []func([]airlock.Event)
	progress    atomic.Int64 // when a call last completed, in Unix ns: see bounded
}

// Open connects to url: "sqlite:PATH", a bare path, or "postgres://…".
func Open(ctx context.Context, rawURL string) (*DB, error) {
	db := &DB{now: func() time.Time { return time.Now().UTC() }}
	db.progressed()
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db.Engine = Postgres
		err = db.openPostgres(rawURL)
	case strings.Contains(rawURL, "://"):
		scheme, _, _ := strings.Cut(rawURL, "://")
		return nil, fmt.Errorf("AIRLOCK_DATABASE_URL: %q databases are not supported; use sqlite:PATH or postgres://…", scheme)
	default:
		db.Engine = SQLite
		err = db.openSQLite(strings.TrimPrefix(rawURL, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.Engine, err)
	}
	return db, nil
}

func (db *DB) openSQLite(path string) error {
	if path == "" {
		return errors.New("empty sqlite path")
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	var err error
	if db.write, err = sql.Open("sqlite", dsn); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if db.read, err = sql.Open("sqlite", dsn); err != nil {
		return err
	}
	db.read.SetMaxOpenConns(8)
	db.writeStmts, db.readStmts = &stmtCache{db: db.write}, &stmtCache{db: db.read}
	db.sessions = sessioncache.New()
	return nil
}

func (db *DB) openPostgres(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errors.New("AIRLOCK_DATABASE_URL is not a valid URL") // the error would repeat it, password and all
	}
	if q := u.Query(); !q.Has("connect_timeout") {
		q.Set("connect_timeout", "4") // connections database/sql opens in the background have no other deadline
		u.RawQuery = q.Encode()
	}
	if db.write, err = sql.Open("pgx", u.String()); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(16)
	db.write.SetMaxIdleConns(16)
	db.write.SetConnMaxIdleTime(5 * time.Minute)
	db.read = db.write
	db.shared = sessioncache.NewShared(db.pingSessions)
	db.sessions = db.shared.Cache
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.shared != nil {
		db.shared.Stop() // its listener holds a connection
	}
	if db.writeStmts != nil {
		db.writeStmts.close()
		db.readStmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// SetClock replaces the clock used for timestamps (tests).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Now returns the store's current time in UTC.
func (db *DB) Now() time.Time { return db.now().UTC() }

// OnCommit registers fn to receive the events of every committed transaction.
// Register before serving: the list is not guarded.
func (db *DB) OnCommit(fn func([]airlock.Event)) { db.afterCommit = append(db.afterCommit, fn) }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return airlock.Errorf(airlock.EUNAVAILABLE, "database unreachable")
	}
	return nil
}

// args adapts arguments to the engine: SQLite gets times as fixed-width UTC
// text, so that comparing them as text in SQL orders them correctly.
func (db *DB) args(args []any) []any {
	if db.Engine != SQLite {
		return args
	}
	for i, a := range args {
		switch t := a.(type) {
		case time.Time:
			args[i] = sqliteTime(t)
		case *time.Time:
			if t != nil {
				args[i] = sqliteTime(*t)
			}
		}
	}
	return args
}

func sqliteTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// query runs a read outside any transaction.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*Rows, error) {
	ctx, cancel := db.bounded(ctx)
	if db.readStmts == nil {
		rs, err := db.read.QueryContext(ctx, q, db.args(args)...)
		return db.newRows(ctx, rs, err, cancel)
	}
	s, cached, err := db.readStmts.get(ctx, q)
	if err != nil {
		return db.newRows(ctx, nil, err, cancel)
	}
	rs, err := s.QueryContext(ctx, db.args(args)...)
	if !cached {
		defer s.Close() // rows keep the statement's connection until closed
	}
	return db.newRows(ctx, rs, err, cancel)
}

func (db *DB) QueryRow(ctx context.Context, q string, args ...any) Row {
	ctx, cancel := db.bounded(ctx)
	if db.readStmts == nil {
		return Row{Row: db.read.QueryRowContext(ctx, q, db.args(args)...), db: db, ctx: ctx, cancel: cancel}
	}
	s, cached, err := db.readStmts.get(ctx, q)
	if err != nil || !cached {
		return Row{Row: db.read.QueryRowContext(ctx, q, db.args(args)...), db: db, ctx: ctx, cancel: cancel}
	}
	return Row{Row: s.QueryRowContext(ctx, db.args(args)...), db: db, ctx: ctx, cancel: cancel}
}

// exec runs a single write outside an explicit transaction.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	res, err := db.write.ExecContext(ctx, q, db.args(args)...)
	return res, db.result(ctx, err)
}
