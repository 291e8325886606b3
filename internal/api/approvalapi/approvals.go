// Package approvalapi holds the HTTP handlers of approval requests: list,
// approve (and deploy), reject, bulk. api routes to them and authenticates.
package approvalapi

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/approvals"
)

// Handlers serves the routes; By names the deciding token and its role;
// Checks reads the CI checks reported for a digest.
type Handlers struct {
	Svc    *service.Service
	By     func(*http.Request) approvals.By
	Checks func(ctx context.Context, digest string) (map[string]rules.Check, error)
}

// request is an approval request as listed: with the checks of its digest,
// so that an approver sees what CI and the test ring said.
type request struct {
	airlock.ApprovalRequest
	Checks map[string]rules.Check `json:"checks"`
}

func (h Handlers) withChecks(ctx context.Context, items []airlock.ApprovalRequest) ([]request, error) {
	out := make([]request, len(items))
	for i, it := range items {
		out[i] = request{ApprovalRequest: it, Checks: map[string]rules.Check{}}
		if it.Digest == "" || h.Checks == nil {
			continue
		}
		checks, err := h.Checks(ctx, it.Digest)
		if err != nil {
			return nil, err
		}
		out[i].Checks = checks
	}
	return out, nil
}

// List lists approval requests of a status, or all.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error {
	f := airlock.ApprovalFilter{Status: r.URL.Query().Get("status")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 100, 1000); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	items, total, err := h.Svc.ApprovalRequests(r.Context(), f)
	if err != nil {
		return err
	}
	views, err := h.withChecks(r.Context(), items)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[request]{Items: views, Total: total})
	return nil
}

// Approve records an approval; {"deploy": true} asks for the release to roll out once approved.
func (h Handlers) Approve(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Deploy bool `json:"deploy"`
	}
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
	}
	req, err := h.Svc.Approve(r.Context(), h.By(r), id, in.Deploy)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

// Reject records a rejection, with an optional reason.
func (h Handlers) Reject(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
	}
	req, err := h.Svc.Reject(r.Context(), h.By(r), id, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

// Bulk approves or rejects several requests, each on its own.
func (h Handlers) Bulk(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDs    []int64 `json:"ids"`
		Action string  `json:"action"`
		Reason string  `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	results, err := h.Svc.Bulk(r.Context(), h.By(r), in.IDs, in.Action, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"results": results})
	return nil
}
