package api

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) eventRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/events", Viewer, s.listEvents},
		{"GET", "/api/v1/events/stream", Viewer, s.streamEvents},
		{"GET", "/readyz", Public, s.readyz},
		{"GET", "/metrics", Viewer, s.serveMetrics}, // or the metrics token: see authenticate
		{"GET", "/api/v1/openapi.json", Public, s.serveOpenAPI},
	}
}

// listEvents pages through the audit trail: with after, forward from it;
// otherwise the latest events (before the id given, if one is).
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r)
	if err != nil {
		return err
	}
	var after, before, limit int
	if after, err = httpx.QueryInt(r, "after", 0, math.MaxInt64); err != nil {
		return err
	}
	if before, err = httpx.QueryInt(r, "before", 0, math.MaxInt64); err != nil {
		return err
	}
	if limit, err = httpx.QueryInt(r, "limit", 100, 1000); err != nil {
		return err
	}
	if limit == 0 {
		return airlock.FieldErrorf("limit", "must be between 1 and 1000")
	}
	f.After, f.Before, f.Limit = int64(after), int64(before), limit
	page, err := s.svc.Events(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// eventFilter reads the type and subject filters both event routes take.
func eventFilter(r *http.Request) (airlock.EventFilter, error) {
	q := r.URL.Query()
	f := airlock.EventFilter{Type: q.Get("type"), Subject: q.Get("subject")}
	for name, v := range map[string]string{"type": f.Type, "subject": f.Subject} {
		if len(v) > 200 {
			return f, airlock.FieldErrorf(name, "must be at most 200 characters")
		}
	}
	return f, nil
}

// readyz answers 200 when the database answers and its schema is current.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.svc.SchemaCurrent(ctx); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}
