package api

import (
	"github.com/airlock-iot/airlock/internal/api/costapi"
	"github.com/airlock-iot/airlock/internal/service/costs"
)

// costRoutes serve sizes, downloads and costs (issue 23).
func (s *Server) costRoutes() []Route {
	h := costapi.Handlers{Costs: costs.Costs{DB: s.svc.DB}, Rollout: s.svc.Rollout, Reconsider: s.svc.Reconsider, Actor: actor}
	return []Route{
		{"GET", "/api/v1/rollouts/{id}", Viewer, h.GetRollout},
		{"GET", "/api/v1/images/{id}/costs", Viewer, h.ImageCosts},
		{"GET", "/api/v1/cost-rules", Viewer, h.GetRules},
		{"PUT", "/api/v1/cost-rules", Admin, h.PutRules},
		{"GET", "/api/v1/policies/{id}/cost-limits", Viewer, h.GetLimits},
		{"PUT", "/api/v1/policies/{id}/cost-limits", Admin, h.PutLimits},
		{"POST", "/api/v1/releases/{id}/release-hold", Approver, h.ReleaseHold},
	}
}
