// Package releaseapi serves the releases: each pushed content of an image
// under a tag, with what was decided about it.
package releaseapi

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/costs"
)

// Service is what the handlers read.
type Service interface {
	Releases(ctx context.Context, f service.ReleaseFilter) ([]service.Release, int, error)
	Release(ctx context.Context, id int64) (service.Release, error)
	ClearRelease(ctx context.Context, actor string, id int64, deploy bool) (service.Cleared, error)
	KnownBad(ctx context.Context) ([]airlock.KnownBad, error)
	ClearKnownBad(ctx context.Context, actor string, id int64) (airlock.KnownBad, error)
}

// Handlers serve the releases and their known-bad holds. Actor names the
// caller, for the audit trail; Size, if set, reads a release's size.
type Handlers struct {
	Svc   Service
	Actor func(*http.Request) string
	Size  func(ctx context.Context, id int64) (costs.Size, error)
}

// releaseView is a release with its compressed size per platform.
type releaseView struct {
	service.Release
	costs.Size
}

// List answers a page of releases, filtered by image, tag and status.
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := service.ReleaseFilter{Image: q.Get("image"), Tag: q.Get("tag"), Status: q.Get("status")}
	var err error
	if f.Limit, err = httpx.QueryInt(r, "limit", 50, 500); err != nil {
		return err
	}
	if f.Offset, err = httpx.QueryInt(r, "offset", 0, 0); err != nil {
		return err
	}
	items, total, err := h.Svc.Releases(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[service.Release]{Items: items, Total: total})
	return nil
}

// Get answers one release.
func (h Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rel, err := h.Svc.Release(r.Context(), id)
	if err != nil {
		return err
	}
	view := releaseView{Release: rel, Size: costs.Size{Platforms: []cost.PlatformSize{}}}
	if h.Size != nil {
		if view.Size, err = h.Size(r.Context(), id); err != nil {
			return err
		}
	}
	httpx.WriteJSON(w, http.StatusOK, view)
	return nil
}
