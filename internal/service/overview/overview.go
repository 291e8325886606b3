// Package overview reads the fleet overview: the device apps and the
// latest releases from the store, summed up per image.
package overview

import (
	"context"
	"fmt"

	summary "github.com/airlock-iot/airlock/internal/overview"
	"github.com/airlock-iot/airlock/internal/store"
	overviewdb "github.com/airlock-iot/airlock/internal/store/overview"
)

// Fleet reads the overview from DB.
type Fleet struct {
	DB *store.DB
}

// Images sums up every image some device is told to run.
func (f Fleet) Images(ctx context.Context) ([]summary.Image, error) {
	apps, err := overviewdb.Apps(ctx, f.DB)
	if err != nil {
		return nil, fmt.Errorf("fleet overview: %w", err)
	}
	latest, err := overviewdb.Latest(ctx, f.DB)
	if err != nil {
		return nil, fmt.Errorf("fleet overview: %w", err)
	}
	return summary.Summarise(apps, latest), nil
}
