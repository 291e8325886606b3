// Package overviewapi serves the fleet overview: per image, how many
// device apps run its latest release, are updating, are behind or failing.
package overviewapi

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/overview"
)

// Service is what the handler reads.
type Service interface {
	Images(ctx context.Context) ([]overview.Image, error)
}

// Handlers serve the overview.
type Handlers struct {
	Svc Service
}

// Images answers every image some device is told to run, with its counts.
func (h Handlers) Images(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Svc.Images(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[overview.Image]{Items: items, Total: len(items)})
	return nil
}
