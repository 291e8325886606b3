package releaseapi

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/service"
)

// Clear lifts the known-bad hold on a release's content; with
// {"deploy": true} the release is then considered again and rolled out by
// its policy, through the gate like any push.
func (h Handlers) Clear(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in service.ClearInput
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		if err := httpx.DecodeBytes(body, &in); err != nil {
			return err
		}
	}
	out, err := h.Svc.ClearRelease(r.Context(), h.Actor(r), id, in.Deploy)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ListKnownBad lists the content rolled-back rollouts delivered, held from
// rolling out again.
func (h Handlers) ListKnownBad(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Svc.KnownBad(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.KnownBad]{Items: items, Total: len(items)})
	return nil
}

// ClearKnownBad lifts one known-bad hold by its id.
func (h Handlers) ClearKnownBad(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	k, err := h.Svc.ClearKnownBad(r.Context(), h.Actor(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, k)
	return nil
}
