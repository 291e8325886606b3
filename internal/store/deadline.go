package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// A database that hangs (sockets open, no bytes) must turn into a 503
// within 5 s, not a request that waits for TCP to give up. A busy one must
// not: 200 pushes queued behind one row lock, or behind SQLite's single
// writer, wait their turn. So the deadline is on the database's silence:
// a call, waiting for a connection included, is cut once callTimeout has
// passed without any call of this process completing, and in any case
// after txTimeout.
const callTimeout = 4 * time.Second

// errHung is what a call cut for the database's silence returns.
var errHung = airlock.Errorf(airlock.EUNAVAILABLE, "the database did not answer within %s", callTimeout)

// progressed records that a call was answered now.
func (db *DB) progressed() { db.progress.Store(time.Now().UnixNano()) }

func (db *DB) silentFor() time.Duration { return time.Since(time.Unix(0, db.progress.Load())) }

// watch cuts a call once the database has been silent for callTimeout.
type watch struct {
	db  *DB
	cut context.CancelCauseFunc
	t   *time.Timer
}

func (db *DB) watch(cut context.CancelCauseFunc) *watch {
	w := &watch{db: db, cut: cut}
	w.t = time.AfterFunc(callTimeout, w.check)
	return w
}

func (w *watch) check() {
	if silent := w.db.silentFor(); silent < callTimeout {
		w.t.Reset(callTimeout - silent) // the database is answering others: this call is queued, not hung
		return
	}
	w.cut(errHung)
}

func (w *watch) stop() { w.t.Stop() }

// bounded is ctx watched for the database's silence and cut after txTimeout.
func (db *DB) bounded(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, txTimeout)
	ctx, cut := context.WithCancelCause(ctx)
	w := db.watch(cut)
	return ctx, func() {
		w.stop()
		cut(nil)
		cancel()
	}
}

// result is a call's error as callers see it: named as the database's
// silence when that cut the call. A call the database answered, even
// with an error of its own, is progress; one that failed to reach it
// (a refused or timed-out connection) is not.
func (db *DB) result(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errHung) {
		return fmt.Errorf("%w (%v)", errHung, err)
	}
	err = WrapErr(err)
	if !errors.Is(err, errUnavailable) && !errors.Is(err, context.Canceled) {
		db.progressed()
	}
	return err
}

// Rows are query results whose watch ends when they are closed.
type Rows struct {
	*sql.Rows
	db     *DB
	ctx    context.Context
	cancel context.CancelFunc
	read   int
}

// Next is sql.Rows.Next. Rows read are the database answering: a result
// that takes long to read (a rollout's million devices, decoded as they
// come) is not the database's silence, and is not cut for it.
func (r *Rows) Next() bool {
	if r.read++; r.read%64 == 0 {
		r.db.progressed()
	}
	return r.Rows.Next()
}

// Err is sql.Rows.Err, named as the database's silence when that cut the read.
func (r *Rows) Err() error { return r.db.result(r.ctx, r.Rows.Err()) }

func (r *Rows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

func (db *DB) newRows(ctx context.Context, rs *sql.Rows, err error, cancel context.CancelFunc) (*Rows, error) {
	err = db.result(ctx, err)
	if err != nil {
		cancel()
		return nil, err
	}
	return &Rows{Rows: rs, db: db, ctx: ctx, cancel: cancel}, nil
}

// Row is a single-row result whose watch ends once it is scanned.
type Row struct {
	*sql.Row
	db     *DB
	ctx    context.Context
	cancel context.CancelFunc
}

func (r Row) Scan(dest ...any) error {
	defer r.cancel()
	err := r.Row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		r.db.progressed()
		return err
	}
	return r.db.result(r.ctx, err)
}
