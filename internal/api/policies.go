package api

import (
	"net/http"
	"strconv"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) policyRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/policies", Viewer, s.listPolicies},
		{"POST", "/api/v1/policies", Approver, s.createPolicy},
		{"GET", "/api/v1/policies/{id}", Viewer, s.getPolicy},
		{"PUT", "/api/v1/policies/{id}", Approver, s.updatePolicy},
		{"DELETE", "/api/v1/policies/{id}", Approver, s.deletePolicy},
	}
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	var enabled *bool
	if v := r.URL.Query().Get("enabled"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return airlock.FieldErrorf("enabled", "must be true or false, got %q", v)
		}
		enabled = &b
	}
	limit, err := httpx.QueryInt(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	offset, err := httpx.QueryInt(r, "offset", 0, 0)
	if err != nil {
		return err
	}
	items, total, err := s.svc.Policies(r.Context(), enabled, limit, offset)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Policy]{Items: items, Total: total})
	return nil
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Policy(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) createPolicy(w http.ResponseWriter, r *http.Request) error {
	var in service.PolicyInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreatePolicy(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in service.PolicyInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.UpdatePolicy(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) deletePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeletePolicy(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
