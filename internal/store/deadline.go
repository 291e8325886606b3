package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// callTimeout bounds every database call, waiting for a connection
// included, so that a database that hangs (sockets open, no bytes) turns
// into a 503 within 5 s rather than a request that waits for TCP to give up.
const callTimeout = 4 * time.Second

// errHung is what a call that outlived callTimeout returns.
var errHung = airlock.Errorf(airlock.EUNAVAILABLE, "the database did not answer within %s", callTimeout)

// bounded is ctx with the call deadline, unless ctx ends sooner.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callTimeout)
}

// dbRows are query results whose deadline is released when they are closed.
type dbRows struct {
	*sql.Rows
	cancel context.CancelFunc
}

func (r *dbRows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

func newRows(rs *sql.Rows, err error, cancel context.CancelFunc) (*dbRows, error) {
	if err != nil {
		cancel()
		return nil, wrapErr(err)
	}
	return &dbRows{Rows: rs, cancel: cancel}, nil
}

// dbRow is a single-row result whose deadline is released once it is scanned.
type dbRow struct {
	*sql.Row
	cancel context.CancelFunc
}

func (r dbRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.Row.Scan(dest...)
}

// watchdog cancels a step that has no context of its own (BEGIN waits on
// the transaction's context; COMMIT takes none) once it outlives
// callTimeout. stop reports whether the step ended in time.
func watchdog(cancel context.CancelFunc) (stop func() bool) {
	t := time.AfterFunc(callTimeout, cancel)
	return t.Stop
}
