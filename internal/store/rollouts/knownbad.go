package rollouts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const knownBadCols = `id, content, image, rollout_id, reason, created_at`

func scanKnownBad(s store.Scanner) (airlock.KnownBad, error) {
	var k airlock.KnownBad
	err := s.Scan(&k.ID, &k.Content, &k.Image, &k.RolloutID, &k.Reason, (*store.TimeScan)(&k.CreatedAt))
	return k, err
}

// AddKnownBad holds content as known-bad, keeping the first record when it
// is held already.
func AddKnownBad(ctx context.Context, tx *store.Tx, k airlock.KnownBad) error {
	_, err := tx.Exec(ctx, `INSERT INTO known_bad (content, image, rollout_id, reason, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (content) DO NOTHING`, k.Content, k.Image, k.RolloutID, k.Reason, tx.Now())
	if err != nil {
		return fmt.Errorf("record known-bad: %w", err)
	}
	return nil
}

// KnownBadContent returns the record holding content, or false.
func KnownBadContent(ctx context.Context, tx *store.Tx, content string) (airlock.KnownBad, bool, error) {
	k, err := scanKnownBad(tx.QueryRow(ctx, `SELECT `+knownBadCols+` FROM known_bad WHERE content = $1`, content))
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, store.WrapErr(err)
	}
	return k, true, nil
}

// ClearKnownBad lifts the hold of record id and returns it.
func ClearKnownBad(ctx context.Context, tx *store.Tx, id int64) (airlock.KnownBad, error) {
	k, err := scanKnownBad(tx.QueryRow(ctx, `DELETE FROM known_bad WHERE id = $1 RETURNING `+knownBadCols, id))
	if err != nil {
		return k, store.NotFound(err, "known-bad record %d not found", id)
	}
	return k, nil
}

// KnownBadList lists what is held, newest first.
func KnownBadList(ctx context.Context, db *store.DB) ([]airlock.KnownBad, error) {
	rows, err := db.Query(ctx, `SELECT `+knownBadCols+` FROM known_bad ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanKnownBad)
}
