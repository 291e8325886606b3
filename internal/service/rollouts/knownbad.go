package rollouts

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// KnownBad lists and clears the content held as known-bad: what a
// rolled-back rollout delivered, which later pushes do not roll out.
type KnownBad struct{ DB *store.DB }

// List returns what is held, newest first.
func (k KnownBad) List(ctx context.Context) ([]airlock.KnownBad, error) {
	return rolloutdb.KnownBadList(ctx, k.DB)
}

// Clear lifts the hold of record id, so that pushes of its content roll
// out again, and records image.known_bad_cleared.
func (k KnownBad) Clear(ctx context.Context, actor string, id int64) (airlock.KnownBad, error) {
	var cleared airlock.KnownBad
	err := k.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if cleared, err = rolloutdb.ClearKnownBad(ctx, tx, id); err != nil {
			return err
		}
		return tx.AddEvent(ctx, "image.known_bad_cleared", fmt.Sprintf("known-bad/%d", id), cleared)
	})
	return cleared, err
}

// ClearContent lifts the hold of content (a digest, or image:tag) if any,
// for callers that know a release rather than the record; it reports
// whether anything was held.
func (k KnownBad) ClearContent(ctx context.Context, actor, content string) (bool, error) {
	var held bool
	err := k.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		rec, ok, err := rolloutdb.KnownBadContent(ctx, tx, content)
		if err != nil || !ok {
			return err
		}
		held = true
		if _, err := rolloutdb.ClearKnownBad(ctx, tx, rec.ID); err != nil {
			return err
		}
		return tx.AddEvent(ctx, "image.known_bad_cleared", fmt.Sprintf("known-bad/%d", rec.ID), rec)
	})
	return held, err
}
