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

// progressed records that a call completed now.
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

// stop ends the watch, noting progress unless the call was cut.
func (w *watch) stop(ctx context.Context) {
	w.t.Stop()
	if ctx.Err() == nil {
		w.db.progressed()
	}
}

// bounded is ctx watched for the database's silence and cut after txTimeout.
func (db *DB) bounded(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, txTimeout)
	ctx, cut := context.WithCancelCause(ctx)
	w := db.watch(cut)
	return ctx, func() {
		w.stop(ctx)
		cut(nil)
		cancel()
	}
}

// hungErr is err, named as the database's silence when that cut the call.
func hungErr(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errHung) {
		return fmt.Errorf("%w (%v)", errHung, err)
	}
	return wrapErr(err)
}

// dbRows are query results whose watch ends when they are closed.
type dbRows struct {
	*sql.Rows
	cancel context.CancelFunc
}

func (r *dbRows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

func newRows(ctx context.Context, rs *sql.Rows, err error, cancel context.CancelFunc) (*dbRows, error) {
	if err != nil {
		err = hungErr(ctx, err)
		cancel()
		return nil, err
	}
	return &dbRows{Rows: rs, cancel: cancel}, nil
}

// dbRow is a single-row result whose watch ends once it is scanned.
type dbRow struct {
	*sql.Row
	ctx    context.Context
	cancel context.CancelFunc
}

func (r dbRow) Scan(dest ...any) error {
	defer r.cancel()
	err := r.Row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return hungErr(r.ctx, err)
}
