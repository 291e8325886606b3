package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// HashSecret is how every stored secret (API token, device key) is kept.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const tokenCols = `id, name, role, created_at, last_used_at, revoked_at`

func scanToken(s Scanner) (airlock.Token, error) {
	var t airlock.Token
	var used, revoked NullTime
	err := s.Scan(&t.ID, &t.Name, &t.Role, (*TimeScan)(&t.CreatedAt), &used, &revoked)
	t.LastUsedAt, t.RevokedAt = used.Ptr(), revoked.Ptr()
	return t, err
}

// CreateToken stores a token whose secret the caller made.
func (tx *Tx) CreateToken(ctx context.Context, name, role, secret string) (airlock.Token, error) {
	row := tx.QueryRow(ctx, `INSERT INTO api_tokens (name, role, token_hash, created_at)
		VALUES ($1, $2, $3, $4) RETURNING `+tokenCols, name, role, HashSecret(secret), tx.Now())
	t, err := scanToken(row)
	if IsUnique(err) {
		return t, airlock.Errorf(airlock.ECONFLICT, "a token with this secret exists already (it may be revoked)")
	}
	if err != nil {
		return t, WrapErr(fmt.Errorf("insert token: %w", err))
	}
	return t, tx.AddEvent(ctx, "token.created", fmt.Sprintf("token/%d", t.ID), map[string]any{"name": name, "role": role})
}

// RevokeToken marks a token revoked; it stops working at once.
func (tx *Tx) RevokeToken(ctx context.Context, id int64) error {
	var name string
	err := tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING name`,
		tx.Now(), id).Scan(&name)
	if err != nil {
		return NotFound(err, "token %d not found", id)
	}
	return tx.AddEvent(ctx, "token.revoked", fmt.Sprintf("token/%d", id), map[string]any{"name": name})
}

// TokenBySecret finds the live token with this secret. The lookup is by hash,
// an exact match on a unique index, so no secret is ever compared byte by byte.
func (db *DB) TokenBySecret(ctx context.Context, secret string) (airlock.Token, error) {
	t, err := scanToken(db.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE token_hash = $1 AND revoked_at IS NULL`, HashSecret(secret)))
	if err != nil {
		return t, NotFound(err, "no such token")
	}
	return t, nil
}

// TouchToken records a token's use. Callers throttle it: it is a write.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := db.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, at, id)
	return err
}

// Tokens lists every token, revoked ones included.
func (db *DB) Tokens(ctx context.Context) ([]airlock.Token, error) {
	rows, err := db.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return Collect(rows, scanToken)
}

// CountTokens counts live tokens.
func (db *DB) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, WrapErr(err)
}
