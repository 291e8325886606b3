package api

import "net/http"

func (s *Server) routeTable() []Route {
	return []Route{
		{"GET", "/healthz", Public, s.healthz},

		{"GET", "/api/v1/tokens", Admin, s.listTokens},
		{"POST", "/api/v1/tokens", Admin, s.createToken},
		{"DELETE", "/api/v1/tokens/{id}", Admin, s.revokeToken},

		{"GET", "/api/v1/images", Viewer, s.listImages},
		{"GET", "/api/v1/images/categories", Viewer, s.listCategories},
		{"GET", "/api/v1/images/{id}", Viewer, s.getImage},
		{"POST", "/api/v1/images", Approver, s.createImage},
		{"PUT", "/api/v1/images/{id}", Approver, s.updateImage},
		{"DELETE", "/api/v1/images/{id}", Approver, s.deleteImage},
		{"POST", "/api/v1/images/{id}/tags", Approver, s.createTag},
		{"PUT", "/api/v1/images/{id}/tags/{tagId}", Approver, s.updateTag},
		{"DELETE", "/api/v1/images/{id}/tags/{tagId}", Approver, s.deleteTag},
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
