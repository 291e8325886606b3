package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/store"
)

// Answer is what a webhook delivery was told, kept so that a redelivery of
// an answer that allowed or did something gets the very same answer.
type Answer struct {
	// Refused: nothing in the delivery was allowed or recorded, and a push
	// at least was refused. A redelivery is decided afresh.
	Refused bool
	// Forbid: answer the refusal 403, as the guide does for senders that
	// do not retry for ever. Not stored: only allowing answers are replayed.
	Forbid  bool
	Outcome string
	Body    []byte
}

// Claim is what ClaimDelivery found of a delivery id.
type Claim int

const (
	// ClaimNew: never seen, or seen before the retention cutoff: decide it.
	ClaimNew Claim = iota + 1
	// ClaimReplay: answered before with an answer that allowed or acted.
	ClaimReplay
	// ClaimRedecide: refused before; decide afresh, raising no second
	// approval request for the same delivery.
	ClaimRedecide
)

// Delivery statuses as stored: the answer's kind, not an HTTP status.
const (
	answerAllowed = 1
	answerRefused = 2
)

// ClaimDelivery records a delivery id as being answered and says what to
// do with it; for ClaimReplay it returns the stored answer. Deliveries
// received before cutoff are forgotten first. A concurrent claim of the
// same id waits for the first to commit.
func ClaimDelivery(ctx context.Context, tx *store.Tx, source, id string, cutoff time.Time) (Answer, Claim, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE received_at < $1`, cutoff); err != nil {
		return Answer{}, 0, fmt.Errorf("expire deliveries: %w", err)
	}
	res, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (source, delivery_id, received_at)
		VALUES ($1, $2, $3) ON CONFLICT (source, delivery_id) DO NOTHING`, source, id, tx.Now())
	if err != nil {
		return Answer{}, 0, fmt.Errorf("claim delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return Answer{}, ClaimNew, nil
	}
	var a Answer
	var status int
	var body string
	err = tx.QueryRow(ctx, `SELECT status, outcome, response FROM webhook_deliveries
		WHERE source = $1 AND delivery_id = $2`+tx.ForUpdate(), source, id).Scan(&status, &a.Outcome, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return a, 0, fmt.Errorf("delivery %s/%s vanished", source, id)
	}
	if err != nil {
		return a, 0, store.WrapErr(err)
	}
	if status == answerRefused {
		return Answer{}, ClaimRedecide, nil
	}
	a.Body = []byte(body)
	return a, ClaimReplay, nil
}

// SaveAnswer stores the answer of a claimed delivery.
func SaveAnswer(ctx context.Context, tx *store.Tx, source, id string, a Answer) error {
	status := answerAllowed
	if a.Refused {
		status = answerRefused
	}
	_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, outcome = $2, response = $3
		WHERE source = $4 AND delivery_id = $5`, status, a.Outcome, string(a.Body), source, id)
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	return nil
}
