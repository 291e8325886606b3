// Package costapi serves sizes, downloads and costs (issue 23): a
// rollout with its bytes and cost, an image's cost by month, the global
// cost rules, a policy's cost limits and the release of a cost hold. api
// routes to it and authenticates.
package costapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/service/costs"
	"github.com/airlock-iot/airlock/internal/service/releases"
)

// Handlers serves the routes. Rollout reads a rollout as the rollout
// routes show it; Actor names the caller for the audit trail.
type Handlers struct {
	Costs   costs.Costs
	Rollout func(ctx context.Context, id int64) (airlock.Rollout, error)
	// Reconsider decides again about a release whose cost hold was released.
	Reconsider func(ctx context.Context, actor string, id int64) (releases.Outcome, error)
	Actor      func(*http.Request) string
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

// GetRules answers the global cost rules.
func (h Handlers) GetRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := h.Costs.Rules(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"cost_rules": rules})
	return nil
}

// PutRules replaces the global cost rules: {"cost_rules": [{"labels",
// "per_gb", "currency"}]}.
func (h Handlers) PutRules(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CostRules json.RawMessage `json:"cost_rules"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rules, err := h.Costs.SetRules(r.Context(), h.Actor(r), in.CostRules)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"cost_rules": rules})
	return nil
}

// GetLimits answers a policy's cost limits.
func (h Handlers) GetLimits(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.Costs.Limits(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

// PutLimits replaces a policy's cost limits.
func (h Handlers) PutLimits(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in cost.Limits
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	l, err := h.Costs.SetLimits(r.Context(), h.Actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

// ReleaseHold lets a release held for its cost roll out, and answers what
// became of it.
func (h Handlers) ReleaseHold(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := h.Costs.ReleaseHold(r.Context(), h.Actor(r), id, h.Reconsider)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"release": out.Release, "rollout": out.Rollout, "reason": out.Reason})
	return nil
}
