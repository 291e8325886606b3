package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := airlock.ImageFilter{Search: q.Get("search"), Status: q.Get("status"), Category: q.Get("category"), Registry: q.Get("registry")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 50, 500); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	if f.Status != "" && f.Status != airlock.StatusApproved && f.Status != airlock.StatusPending && f.Status != airlock.StatusRejected {
		return airlock.FieldErrorf("status", "must be pending, approved or rejected, got %q", f.Status)
	}
	images, total, err := s.svc.Images(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Image]{Items: images, Total: total})
	return nil
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	cats, err := s.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[airlock.Category]{Items: cats, Total: len(cats)})
	return nil
}

func (s *Server) getImage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	img, err := s.svc.Image(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, img)
	return nil
}

func (s *Server) createImage(w http.ResponseWriter, r *http.Request) error {
	var in service.ImageInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	img, err := s.svc.CreateImage(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, img)
	return nil
}

func (s *Server) updateImage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in service.ImageUpdate
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	img, err := s.svc.UpdateImage(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, img)
	return nil
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteImage(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in service.TagInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateTag(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) updateTag(w http.ResponseWriter, r *http.Request) error {
	id, tagID, err := imageTagIDs(r)
	if err != nil {
		return err
	}
	var in service.TagUpdate
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := s.svc.UpdateTag(r.Context(), actor(r), id, tagID, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	id, tagID, err := imageTagIDs(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteTag(r.Context(), actor(r), id, tagID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func imageTagIDs(r *http.Request) (int64, int64, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	tagID, err := httpx.PathID(r, "tagId")
	return id, tagID, err
}

func (s *Server) imageRoutes() []Route {
	return []Route{
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
