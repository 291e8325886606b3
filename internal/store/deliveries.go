package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Answer is what a webhook delivery was told, kept so that a redelivery gets
// the very same answer.
type Answer struct {
	Refused bool
	Outcome string
	Body    []byte
}

// ClaimDelivery records a delivery id as being answered. When the id was seen
// before it returns the first answer and false; the caller then writes nothing.
// A concurrent claim of the same id waits for the first to commit.
func (tx *Tx) ClaimDelivery(ctx context.Context, source, id string) (Answer, bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (source, delivery_id, received_at)
		VALUES ($1, $2, $3) ON CONFLICT (source, delivery_id) DO NOTHING`, source, id, tx.Now())
	if err != nil {
		return Answer{}, false, fmt.Errorf("claim delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return Answer{}, true, nil
	}
	var a Answer
	var status int
	var body string
	err = tx.queryRow(ctx, `SELECT status, outcome, response FROM webhook_deliveries
		WHERE source = $1 AND delivery_id = $2`, source, id).Scan(&status, &a.Outcome, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, fmt.Errorf("delivery %s/%s vanished", source, id)
	}
	a.Refused, a.Body = status == answerRefused, []byte(body)
	return a, false, wrapErr(err)
}

// Delivery statuses as stored: the answer's kind, not an HTTP status.
const (
	answerAllowed = 1
	answerRefused = 2
)

// SaveAnswer stores the answer of a claimed delivery.
func (tx *Tx) SaveAnswer(ctx context.Context, source, id string, a Answer) error {
	status := answerAllowed
	if a.Refused {
		status = answerRefused
	}
	_, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = $1, outcome = $2, response = $3
		WHERE source = $4 AND delivery_id = $5`, status, a.Outcome, string(a.Body), source, id)
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	return nil
}
