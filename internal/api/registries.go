package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) registryRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/registries", Admin, s.listRegistries},
		{"POST", "/api/v1/registries", Admin, s.createRegistry},
		{"GET", "/api/v1/registries/{id}", Admin, s.getRegistry},
		{"PUT", "/api/v1/registries/{id}", Admin, s.updateRegistry},
		{"DELETE", "/api/v1/registries/{id}", Admin, s.deleteRegistry},
		{"POST", "/api/v1/registries/{id}/rotate-secret", Admin, s.rotateRegistrySecret},
	}
}

// baseURL is where registries reach this server: the configured public
// URL, or the one this request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.svc.PublicURL != "" {
		return s.svc.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) listRegistries(w http.ResponseWriter, r *http.Request) error {
	items, err := s.svc.Registries(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Registry]{Items: items, Total: len(items)})
	return nil
}

func (s *Server) createRegistry(w http.ResponseWriter, r *http.Request) error {
	var in service.RegistryInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	reg, err := s.svc.CreateRegistry(r.Context(), actor(r), s.baseURL(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, reg)
	return nil
}

func (s *Server) getRegistry(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	reg, err := s.svc.Registry(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, reg)
	return nil
}

func (s *Server) updateRegistry(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in service.RegistryUpdate
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	reg, err := s.svc.UpdateRegistry(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, reg)
	return nil
}

func (s *Server) deleteRegistry(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteRegistry(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateRegistrySecret(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	reg, err := s.svc.RotateRegistrySecret(r.Context(), actor(r), s.baseURL(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, reg)
	return nil
}
