package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The events channel is per schema, so that deployments (and tests) sharing
// one PostgreSQL database do not wake each other. A notification carries
// only an event id: it is a wake-up, the table stays the truth.
const eventsChannel = `'airlock_events:' || current_schema()`

// NotifyEvents tells the listeners of every replica that events up to id
// are committed. It does nothing on SQLite, which has no other replicas.
func (db *DB) NotifyEvents(ctx context.Context, id int64) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := db.Exec(ctx, `SELECT pg_notify(`+eventsChannel+`, $1)`, strconv.FormatInt(id, 10)); err != nil {
		return fmt.Errorf("notify events: %w", err)
	}
	return nil
}

// ListenEvents holds a connection of its own listening for NotifyEvents,
// calls ready once listening and wake for each notification (the payload,
// an id, is only for people watching the wire), until ctx ends
// or the connection fails. On SQLite it returns at once.
func (db *DB) ListenEvents(ctx context.Context, ready func(), wake func()) error {
	if db.Engine != Postgres {
		return nil
	}
	return db.listen(ctx, eventsChannel, ready, func(string) { wake() })
}

// listen holds a connection of its own listening on channel (an SQL
// expression), calling ready once listening and note with each payload.
func (db *DB) listen(ctx context.Context, channel string, ready func(), note func(string)) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return WrapErr(fmt.Errorf("listen: %w", err))
	}
	defer conn.Close()
	var listenErr error
	conn.Raw(func(dc any) error {
		listenErr = listenOn(ctx, dc.(*stdlib.Conn).Conn(), channel, ready, note)
		return driver.ErrBadConn // a connection that listened is not handed to anyone else
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return WrapErr(listenErr)
}

func listenOn(ctx context.Context, c *pgx.Conn, channel string, ready func(), note func(string)) error {
	if err := c.QueryRow(ctx, `SELECT `+channel).Scan(&channel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if _, err := c.Exec(ctx, `LISTEN `+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ready()
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		note(n.Payload)
	}
}

// SharesEvents reports whether replicas can wake each other on commits:
// PostgreSQL has LISTEN/NOTIFY, SQLite has one process.
func (db *DB) SharesEvents() bool { return db.Engine == Postgres }
