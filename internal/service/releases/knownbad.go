package releases

import (
	"context"

	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// Clear makes a known-bad release ready again, for its clearance.
func (s Releases) Clear(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		r, err := releasedb.ForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if r, ok := release.Clear(r, actor); ok {
			_, err = releasedb.Update(ctx, tx, r)
		}
		return err
	})
}
