package tokens

import (
	"context"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const tokenCols = `id, name, role, created_at, last_used_at, revoked_at`

func scanToken(s store.Scanner) (airlock.Token, error) {
	var t airlock.Token
	var used, revoked store.NullTime
	err := s.Scan(&t.ID, &t.Name, &t.Role, (*store.TimeScan)(&t.CreatedAt), &used, &revoked)
	t.LastUsedAt, t.RevokedAt = used.Ptr(), revoked.Ptr()
	return t, err
}

// CreateToken stores a token whose secret the caller made.
func CreateToken(ctx context.Context, tx *store.Tx, name, role, secret string) (airlock.Token, error) {
	row := tx.QueryRow(ctx, `INSERT INTO api_tokens (name, role, token_hash, created_at)
		VALUES ($1, $2, $3, $4) RETURNING `+tokenCols, name, role, store.HashSecret(secret), tx.Now())
	t, err := scanToken(row)
	if store.IsUnique(err) {
		return t, airlock.Errorf(airlock.ECONFLICT, "a token with this secret exists already (it may be revoked)")
	}
	if err != nil {
		return t, store.WrapErr(fmt.Errorf("insert token: %w", err))
	}
	return t, tx.AddEvent(ctx, "token.created", fmt.Sprintf("token/%d", t.ID), map[string]any{"name": name, "role": role})
}

// RevokeToken marks a token revoked; it stops working at once.
func RevokeToken(ctx context.Context, tx *store.Tx, id int64) error {
	var name string
	err := tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING name`,
		tx.Now(), id).Scan(&name)
	if err != nil {
		return store.NotFound(err, "token %d not found", id)
	}
	return tx.AddEvent(ctx, "token.revoked", fmt.Sprintf("token/%d", id), map[string]any{"name": name})
}

// TokenBySecret finds the live token with this secret. The lookup is by hash,
// an exact match on a unique index, so no secret is ever compared byte by byte.
func TokenBySecret(ctx context.Context, db *store.DB, secret string) (airlock.Token, error) {
	t, err := scanToken(db.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE token_hash = $1 AND revoked_at IS NULL`, store.HashSecret(secret)))
	if err != nil {
		return t, store.NotFound(err, "no such token")
	}
	return t, nil
}

// TouchToken records a token's use. Callers throttle it: it is a write.
func TouchToken(ctx context.Context, db *store.DB, id int64, at time.Time) error {
	_, err := db.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, at, id)
	return err
}

// Tokens lists every token, revoked ones included.
func Tokens(ctx context.Context, db *store.DB) ([]airlock.Token, error) {
	rows, err := db.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanToken)
}

// CountTokens counts live tokens.
func CountTokens(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, store.WrapErr(err)
}
