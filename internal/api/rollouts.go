package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/costs"

	"github.com/airlock-iot/airlock/internal/api/fleetapi"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/api/releaseapi"
)

func (s *Server) rolloutRoutes() []Route {
	rel := releaseapi.Handlers{Svc: s.svc, Actor: actor, Size: costs.Costs{DB: s.svc.DB}.ReleaseSize}
	routes := []Route{
		{"GET", "/api/v1/releases", Viewer, rel.List}, {"GET", "/api/v1/releases/{id}", Viewer, rel.Get},
		{"GET", "/api/v1/rollouts", Viewer, s.listRollouts},
		{"POST", "/api/v1/rollouts", Approver, s.createRollout},
		{"GET", "/api/v1/rollouts/{id}/devices", Viewer, s.listRolloutDevices},
		{"POST", "/api/v1/releases/{id}/clear", Admin, rel.Clear},
		{"GET", "/api/v1/known-bad", Viewer, rel.ListKnownBad},
		{"POST", "/api/v1/known-bad/{id}/clear", Admin, rel.ClearKnownBad},
	}
	for _, action := range []string{"start", "pause", "resume", "cancel", "rollback"} {
		routes = append(routes, Route{"POST", "/api/v1/rollouts/{id}/" + action, Approver, s.controlRollout(action)})
	}
	return routes
}

func (s *Server) listRollouts(w http.ResponseWriter, r *http.Request) error {
	return fleetapi.ListRollouts(w, r, s.svc.Rollouts)
}

func (s *Server) listRolloutDevices(w http.ResponseWriter, r *http.Request) error {
	return fleetapi.ListRolloutDevices(w, r, s.svc.RolloutDevices)
}

func (s *Server) createRollout(w http.ResponseWriter, r *http.Request) error {
	var in service.RolloutInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ro, err := s.svc.CreateRollout(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, ro)
	return nil
}

// controlRollout serves POST /rollouts/{id}/{action}; the body, optional,
// may give a reason.
func (s *Server) controlRollout(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
		}
		body, err := httpx.ReadBody(r)
		if err != nil {
			return err
		}
		if len(body) > 0 {
			if err := httpx.DecodeBytes(body, &in); err != nil {
				return err
			}
		}
		ro, err := s.svc.ControlRollout(r.Context(), actor(r), id, action, in.Reason)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, ro)
		return nil
	}
}
