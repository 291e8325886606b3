package api

import (
	"github.com/airlock-iot/airlock/internal/api/costapi"
	"github.com/airlock-iot/airlock/internal/service/costs"
)

// costRoutes serve sizes, downloads and costs (issue 23).
func (s *Server) costRoutes() []Route {
	h := costapi.Handlers{Costs: costs.Costs{DB: s.svc.DB}, Rollout: s.svc.Rollout, Actor: actor}
	return []Route{
		{"GET", "/api/v1/rollouts/{id}", Viewer, h.GetRollout},
		{"GET", "/api/v1/images/{id}/costs", Viewer, h.ImageCosts},
	}
}
