package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// txTimeout bounds a transaction, waiting for the connection included, so a
// database that hangs turns into a 503 rather than a request that never ends.
const txTimeout = 30 * time.Second

// Tx is one transaction. Every use case runs in exactly one, and writes its
// events through it, so the audit trail commits or rolls back with the change.
type Tx struct {
	db     *DB
	tx     *sql.Tx
	events []airlock.Event
	Actor  string

	unprepared []string // queries to prepare once the connection is free

	changed    []string // devices whose key, existence or target state changed: see sessioncache
	changedAll bool     // or every device
}

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise. Events written by fn are handed to OnCommit listeners.
// BEGIN (waiting for the connection included), each statement and COMMIT
// are cut when the database falls silent (see bounded); the whole
// transaction gets txTimeout.
func (db *DB) InTx(ctx context.Context, actor string, fn func(*Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, txTimeout)
	defer cancel()
	ctx, cut := context.WithCancelCause(ctx)
	defer cut(nil)
	w := db.watch(cut)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	w.stop()
	if err := db.result(ctx, err); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx, Actor: actor}
	defer tx.prepare(ctx)
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback() // free the connection: on SQLite it is the only writer
			panic(p)
		}
	}()
	if err = fn(tx); err == nil {
		err = tx.notifySessions(ctx)
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return WrapErr(err)
	}
	w = db.watch(cut)
	err = db.result(ctx, sqlTx.Commit())
	w.stop()
	tx.forgetSessions()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, fn := range db.afterCommit {
		fn(tx.events)
	}
	return nil
}

// prepare caches the statements the transaction ran unprepared.
func (tx *Tx) prepare(ctx context.Context) {
	for _, q := range tx.unprepared {
		if s, cached, err := tx.db.writeStmts.get(ctx, q); err == nil && !cached {
			s.Close()
		}
	}
}

// Now is the transaction's clock.
func (tx *Tx) Now() time.Time { return tx.db.Now() }

func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	if s := tx.stmt(ctx, q); s != nil {
		res, err := s.ExecContext(ctx, tx.db.args(args)...)
		return res, tx.db.result(ctx, err)
	}
	res, err := tx.tx.ExecContext(ctx, q, tx.db.args(args)...)
	return res, tx.db.result(ctx, err)
}

func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*Rows, error) {
	ctx, cancel := tx.db.bounded(ctx)
	if s := tx.stmt(ctx, q); s != nil {
		rs, err := s.QueryContext(ctx, tx.db.args(args)...)
		return tx.db.newRows(ctx, rs, err, cancel)
	}
	rs, err := tx.tx.QueryContext(ctx, q, tx.db.args(args)...)
	return tx.db.newRows(ctx, rs, err, cancel)
}

func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) Row {
	ctx, cancel := tx.db.bounded(ctx)
	if s := tx.stmt(ctx, q); s != nil {
		return Row{Row: s.QueryRowContext(ctx, tx.db.args(args)...), db: tx.db, ctx: ctx, cancel: cancel}
	}
	return Row{Row: tx.tx.QueryRowContext(ctx, q, tx.db.args(args)...), db: tx.db, ctx: ctx, cancel: cancel}
}

// stmt is the cached prepared statement for q bound to this transaction, or
// nil to run q unprepared (PostgreSQL, or a query not prepared yet). The
// SQLite writer has one connection, which this transaction holds, so new
// queries are prepared once it is done (see InTx).
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.db.writeStmts == nil {
		return nil
	}
	if s := tx.db.writeStmts.lookup(q); s != nil {
		return tx.tx.StmtContext(ctx, s)
	}
	tx.unprepared = append(tx.unprepared, q)
	return nil
}

// AddEvent records an event in this transaction. The payload must never hold secrets.
func (tx *Tx) AddEvent(ctx context.Context, typ, subject string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event payload: %w", err)
	}
	e := airlock.Event{Type: typ, Subject: subject, Actor: tx.Actor, Payload: body, CreatedAt: tx.db.Now()}
	err = tx.QueryRow(ctx, `INSERT INTO events (type, subject, actor, payload, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.Type, e.Subject, e.Actor, string(body), e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return WrapErr(fmt.Errorf("insert event: %w", err))
	}
	tx.events = append(tx.events, e)
	return nil
}

// notFound maps sql.ErrNoRows to a coded not-found error.
func NotFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return airlock.Errorf(airlock.ENOTFOUND, format, args...)
	}
	return WrapErr(err)
}

// notFoundAs maps sql.ErrNoRows (as left by ON CONFLICT DO NOTHING … RETURNING)
// to an error with the given code.
func NotFoundAs(err error, code, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) || IsUnique(err) {
		return airlock.Errorf(code, format, args...)
	}
	return WrapErr(err)
}

// DB is the database the transaction runs on, for its dialect.
func (tx *Tx) DB() *DB { return tx.db }

// ForUpdate locks the selected rows on PostgreSQL; SQLite has one writer already.
func (tx *Tx) ForUpdate() string {
	if tx.db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// DevicesChanged notes that the transaction changed the key, existence or
// target state of the devices uuids (of every device when none are given),
// so the session cache drops theirs on commit.
func (tx *Tx) DevicesChanged(uuids ...string) {
	tx.changed = append(tx.changed, uuids...)
	tx.changedAll = tx.changedAll || len(uuids) == 0
}

// Prepare prepares q in the transaction, for a statement run many times
// over; the caller closes it.
func (tx *Tx) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	ctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	st, err := tx.tx.PrepareContext(ctx, q)
	return st, tx.db.result(ctx, err)
}

// ExecStmt runs a statement of Prepare, cut like any other when the
// database falls silent.
func (tx *Tx) ExecStmt(ctx context.Context, st *sql.Stmt, args ...any) error {
	ctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	_, err := st.ExecContext(ctx, tx.db.args(args)...)
	return tx.db.result(ctx, err)
}

// QueryStmt runs a query of Prepare; closing the rows releases its bound.
func (tx *Tx) QueryStmt(ctx context.Context, st *sql.Stmt, args ...any) (*Rows, error) {
	ctx, cancel := tx.db.bounded(ctx)
	rs, err := st.QueryContext(ctx, args...)
	return tx.db.newRows(ctx, rs, err, cancel)
}
