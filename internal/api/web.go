package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/web"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// webRoutes serve the admin UI: the page at "/" and its assets under /ui/.
// A catch-all "GET /" would conflict with the JSON 404 of "/api/" in the
// mux, and the UI routes by the URL's fragment, so these two are all it needs.
func (s *Server) webRoutes() []Route {
	return []Route{
		{"GET", "/{$}", Public, s.serveUI},
		{"GET", web.AssetPrefix + "{path...}", Public, s.serveUI},
		{"GET", "/api/v1/me", Viewer, s.me},
	}
}

func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) error {
	if !web.Serve(w, r) {
		return airlock.Errorf(airlock.ENOTFOUND, "no such file %s", r.URL.Path)
	}
	return nil
}

// me tells the UI who signed in, so it offers only what the role may do.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	tok, _ := r.Context().Value(tokenKey).(airlock.Token)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"name": tok.Name, "role": tok.Role})
	return nil
}
