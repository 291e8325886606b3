package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/rollouts"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) rolloutRoutes() []Route {
	routes := []Route{
		{"GET", "/api/v1/rollouts", Viewer, s.listRollouts},
		{"POST", "/api/v1/rollouts", Approver, s.createRollout},
		{"GET", "/api/v1/rollouts/{id}", Viewer, s.getRollout},
		{"GET", "/api/v1/rollouts/{id}/devices", Viewer, s.listRolloutDevices},
		{"GET", "/api/v1/known-bad", Viewer, s.listKnownBad},
		{"POST", "/api/v1/known-bad/{id}/clear", Admin, s.clearKnownBad},
	}
	for _, action := range []string{"start", "pause", "resume", "cancel", "rollback"} {
		routes = append(routes, Route{"POST", "/api/v1/rollouts/{id}/" + action, Approver, s.controlRollout(action)})
	}
	return routes
}

func (s *Server) listRollouts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := airlock.RolloutFilter{Status: q.Get("status"), Image: q.Get("image")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 50, 500); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	items, total, err := s.svc.Rollouts(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Rollout]{Items: items, Total: total})
	return nil
}

func (s *Server) getRollout(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ro, err := s.svc.Rollout(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ro)
	return nil
}

func (s *Server) listRolloutDevices(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f := airlock.RolloutDeviceFilter{Status: r.URL.Query().Get("status")}
	if f.Batch, err = httpx.QueryInt(r, "batch", 0, 0); err != nil {
		return err
	}
	if f.Limit, err = httpx.QueryInt(r, "limit", 100, 1000); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	items, total, err := s.svc.RolloutDevices(r.Context(), id, f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.RolloutDevice]{Items: items, Total: total})
	return nil
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

// listKnownBad lists the content rolled-back rollouts delivered, held from
// rolling out again.
func (s *Server) listKnownBad(w http.ResponseWriter, r *http.Request) error {
	items, err := rollouts.KnownBad{DB: s.svc.DB}.List(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.KnownBad]{Items: items, Total: len(items)})
	return nil
}

func (s *Server) clearKnownBad(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	k, err := rollouts.KnownBad{DB: s.svc.DB}.Clear(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, k)
	return nil
}
