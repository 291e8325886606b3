package supply

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/audit"
)

// Audit reads the audit trail for export.
type Audit struct {
	DB *store.DB
}

// ExportPage is the page of f's events after id after, oldest first.
func (a Audit) ExportPage(ctx context.Context, f airlock.EventFilter, after int64, limit int) ([]airlock.Event, error) {
	return audit.Export(ctx, a.DB, f, after, limit)
}
