package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := s.svc.Tokens(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Token]{Items: toks, Total: len(toks)})
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in service.TokenInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	tok, err := s.svc.CreateToken(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, tok)
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) tokenRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/tokens", Admin, s.listTokens},
		{"POST", "/api/v1/tokens", Admin, s.createToken},
		{"DELETE", "/api/v1/tokens/{id}", Admin, s.revokeToken},
	}
}
