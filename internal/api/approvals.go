package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/approvalapi"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/service/supply"
)

func (s *Server) approvalRoutes() []Route {
	h := approvalapi.Handlers{Svc: s.svc, By: approver, Checks: supply.Reports{DB: s.svc.DB}.Checks}
	return []Route{
		{"GET", "/api/v1/approval-requests", Viewer, h.List},
		{"POST", "/api/v1/approval-requests/{id}/approve", Approver, h.Approve},
		{"POST", "/api/v1/approval-requests/{id}/reject", Approver, h.Reject},
		{"POST", "/api/v1/approval-requests/bulk", Approver, h.Bulk},
	}
}

// approver is who decides: the token's name and role.
func approver(r *http.Request) approvals.By {
	tok, _ := r.Context().Value(tokenKey).(airlock.Token)
	return approvals.By{Name: tok.Name, Role: tok.Role}
}
