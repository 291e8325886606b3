package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// LockStates reads (and on PostgreSQL locks, in uuid order) the stored
// target states of the devices.
func (tx *Tx) LockStates(ctx context.Context, uuids []string) (map[string]string, error) {
	out := make(map[string]string, len(uuids))
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(uuids, 1000) {
		st, err := tx.prepareSized(ctx, stmts, len(chunk), func(n int) string {
			return `SELECT device_uuid, state FROM device_target_state WHERE device_uuid IN (` + tx.db.ParamList(1, n) +
				`) ORDER BY device_uuid` + tx.ForUpdate()
		})
		if err != nil {
			return nil, err
		}
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		qctx, cancel := tx.db.bounded(ctx)
		rs, err := st.QueryContext(qctx, args...)
		rows, err := tx.db.newRows(qctx, rs, err, cancel)
		if err != nil {
			return nil, fmt.Errorf("read target states: %w", err)
		}
		if err := scanStates(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStates(rows *Rows, into map[string]string) error {
	defer rows.Close()
	for rows.Next() {
		var uuid, state string
		if err := rows.Scan(&uuid, &state); err != nil {
			return err
		}
		into[uuid] = state
	}
	return WrapErr(rows.Err())
}

// prepareSized prepares, once per size, the statement build(n) makes: a fleet-wide
// change runs the same full-chunk statement hundreds of times.
func (tx *Tx) prepareSized(ctx context.Context, cache map[int]*sql.Stmt, n int, build func(int) string) (*sql.Stmt, error) {
	if st, ok := cache[n]; ok {
		return st, nil
	}
	pctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	st, err := tx.tx.PrepareContext(pctx, build(n))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", tx.db.result(pctx, err))
	}
	cache[n] = st
	return st, nil
}

// bulkParams bounds the parameters of one multi-row statement, well under
// both engines' limits.
const bulkParams = 2000

// BulkExec runs head + "row, row, …" + tail over rows, as few statements as
// the parameter bound allows. row is a template whose "?"s are numbered
// per row; every row must have as many values as it has "?"s.
func (tx *Tx) BulkExec(ctx context.Context, head, row, tail string, rows [][]any) error {
	width := strings.Count(row, "?")
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(rows, max(1, bulkParams/width)) {
		st, err := tx.prepareSized(ctx, stmts, len(chunk), func(n int) string { return head + tx.db.valuesList(row, n) + tail })
		if err != nil {
			return err
		}
		args := make([]any, 0, len(chunk)*width)
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := tx.boundedExec(ctx, st, tx.db.args(args)); err != nil {
			return err
		}
	}
	return nil
}

// valuesList repeats the row template n times, numbering its "?"s as
// parameters (see Param).
func (db *DB) valuesList(row string, n int) string {
	var b strings.Builder
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		for _, c := range row {
			if c != '?' {
				b.WriteRune(c)
				continue
			}
			b.WriteString(db.Param(p))
			p++
		}
	}
	return b.String()
}

func (tx *Tx) boundedExec(ctx context.Context, st *sql.Stmt, args []any) error {
	ctx, cancel := tx.db.bounded(ctx)
	defer cancel()
	_, err := st.ExecContext(ctx, args...)
	return tx.db.result(ctx, err)
}
