package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/store"
)

// lockStates reads (and on PostgreSQL locks, in uuid order) the stored
// target states of the devices.
func lockStates(ctx context.Context, tx *store.Tx, uuids []string) (map[string]string, error) {
	out := make(map[string]string, len(uuids))
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(uuids, 1000) {
		st, err := prepareSized(ctx, tx, stmts, len(chunk), func(n int) string {
			return `SELECT device_uuid, state FROM device_target_state WHERE device_uuid IN (` + tx.DB().ParamList(1, n) +
				`) ORDER BY device_uuid` + tx.ForUpdate()
		})
		if err != nil {
			return nil, err
		}
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		rows, err := tx.QueryStmt(ctx, st, args...)
		if err != nil {
			return nil, fmt.Errorf("read target states: %w", err)
		}
		if err := scanStates(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStates(rows *store.Rows, into map[string]string) error {
	defer rows.Close()
	for rows.Next() {
		var uuid, state string
		if err := rows.Scan(&uuid, &state); err != nil {
			return err
		}
		into[uuid] = state
	}
	return store.WrapErr(rows.Err())
}

// prepareSized prepares, once per size, the statement build(n) makes: a fleet-wide
// change runs the same full-chunk statement hundreds of times.
func prepareSized(ctx context.Context, tx *store.Tx, cache map[int]*sql.Stmt, n int, build func(int) string) (*sql.Stmt, error) {
	if st, ok := cache[n]; ok {
		return st, nil
	}
	st, err := tx.Prepare(ctx, build(n))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	cache[n] = st
	return st, nil
}

// bulkParams bounds the parameters of one multi-row statement, well under
// both engines' limits.
const bulkParams = 2000

// bulkExec runs head + "row, row, …" + tail over rows, as few statements as
// the parameter bound allows. row is a template whose "?"s are numbered
// per row; every row must have as many values as it has "?"s.
func bulkExec(ctx context.Context, tx *store.Tx, head, row, tail string, rows [][]any) error {
	width := strings.Count(row, "?")
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for chunk := range slices.Chunk(rows, max(1, bulkParams/width)) {
		st, err := prepareSized(ctx, tx, stmts, len(chunk), func(n int) string { return head + valuesList(tx.DB(), row, n) + tail })
		if err != nil {
			return err
		}
		args := make([]any, 0, len(chunk)*width)
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := tx.ExecStmt(ctx, st, args...); err != nil {
			return err
		}
	}
	return nil
}

// valuesList repeats the row template n times, numbering its "?"s as
// parameters (see store.DB.Param).
func valuesList(db *store.DB, row string, n int) string {
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
