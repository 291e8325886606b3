package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errUnavailable marks failures of the database itself, which the API answers with 503.
var errUnavailable = airlock.Errorf(airlock.EUNAVAILABLE, "database unavailable")

// wrapErr marks connection-level failures as unavailable; others pass through.
func WrapErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.As(err, &connErr) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isAdminShutdown(err) || isClosedConn(err) {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return err
}

// isClosedConn matches pgx's error for a connection it already found dead.
func isClosedConn(err error) bool {
	return strings.HasSuffix(err.Error(), "conn closed")
}

func isAdminShutdown(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03")
}

// isUnique reports whether err is a unique-constraint violation on either engine.
func IsUnique(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
