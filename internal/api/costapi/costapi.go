// Package costapi serves sizes, downloads and costs (issue 23): a
// rollout with its bytes and cost, an image's cost by month, the global
// cost rules, a policy's cost limits and the release of a cost hold. api
// routes to it and authenticates.
package costapi

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/service/costs"
)

// Handlers serves the routes. Rollout reads a rollout as the rollout
// routes show it; Actor names the caller for the audit trail.
type Handlers struct {
	Costs   costs.Costs
	Rollout func(ctx context.Context, id int64) (airlock.Rollout, error)
	Actor   func(*http.Request) string
}

// rolloutView is a rollout with the bytes its devices download and what
// that costs, per device under cost.devices.
type rolloutView struct {
	airlock.Rollout
	DownloadBytes int64        `json:"download_bytes"`
	Cost          cost.Rollout `json:"cost"`
}

// GetRollout answers one rollout with its download_bytes and cost.
func (h Handlers) GetRollout(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ro, err := h.Rollout(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := h.Costs.Rollout(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rolloutView{Rollout: ro, DownloadBytes: c.DownloadBytes, Cost: c})
	return nil
}

// ImageCosts answers an image's actual cost by month.
func (h Handlers) ImageCosts(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	months, err := h.Costs.ImageCosts(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[cost.Month]{Items: months, Total: len(months)})
	return nil
}
