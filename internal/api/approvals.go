package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/approvals"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) approvalRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/approval-requests", Viewer, s.listApprovals},
		{"POST", "/api/v1/approval-requests/{id}/approve", Approver, s.approve},
		{"POST", "/api/v1/approval-requests/{id}/reject", Approver, s.reject},
		{"POST", "/api/v1/approval-requests/bulk", Approver, s.bulkDecide},
	}
}

// approver is who decides: the token's name and role.
func approver(r *http.Request) approvals.By {
	tok, _ := r.Context().Value(tokenKey).(airlock.Token)
	return approvals.By{Name: tok.Name, Role: tok.Role}
}

func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) error {
	f := airlock.ApprovalFilter{Status: r.URL.Query().Get("status")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 100, 1000); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	items, total, err := s.svc.ApprovalRequests(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.ApprovalRequest]{Items: items, Total: total})
	return nil
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request) error {
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
	req, err := s.svc.Approve(r.Context(), approver(r), id, in.Deploy)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request) error {
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
	req, err := s.svc.Reject(r.Context(), approver(r), id, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

func (s *Server) bulkDecide(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDs    []int64 `json:"ids"`
		Action string  `json:"action"`
		Reason string  `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	results, err := s.svc.Bulk(r.Context(), approver(r), in.IDs, in.Action, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"results": results})
	return nil
}
