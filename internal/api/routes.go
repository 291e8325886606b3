package api

import (
	"net/http"
	"slices"

	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/api/overviewapi"
	"github.com/airlock-iot/airlock/internal/service/overview"
)

// routeTable is every route the server serves. Each area of the API lists
// its own routes next to its handlers.
func (s *Server) routeTable() []Route {
	return slices.Concat(
		[]Route{{"GET", "/healthz", Public, s.healthz}},
		s.tokenRoutes(),
		s.imageRoutes(),
		s.webhookRoutes(),
		s.registryRoutes(),
		s.approvalRoutes(),
		s.deviceRoutes(),
		s.policyRoutes(),
		s.rolloutRoutes(),
		s.eventRoutes(),
		s.supplyRoutes(),
		[]Route{{"GET", "/api/v1/fleet/images", Viewer, overviewapi.Handlers{Svc: overview.Fleet{DB: s.svc.DB}}.Images}},
		s.costRoutes(),
		s.webRoutes(),
	)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
