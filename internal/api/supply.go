package api

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/verify"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) supplyRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/rules", Viewer, s.listRules},
		{"POST", "/api/v1/rules", Admin, s.createRule},
		{"GET", "/api/v1/rules/{id}", Viewer, s.getRule},
		{"PUT", "/api/v1/rules/{id}", Admin, s.replaceRule},
		{"DELETE", "/api/v1/rules/{id}", Admin, s.deleteRule},
		{"POST", "/api/v1/scan-reports", Scanner, s.postScanReport},
		{"POST", "/api/v1/scan-reports/harbor", Webhook, s.harborScan},
		{"POST", "/api/v1/releases/by-digest/{digest}/checks", CI, s.postCheck},
		{"GET", "/api/v1/events/export", Viewer, s.exportEvents},
	}
}

// SetEvidenceHook sets what is told, after commit, of a digest that got a
// scan report or a check result: the releases' re-evaluation.
func (s *Server) SetEvidenceHook(fn func(ctx context.Context, digest string)) { s.evidence = fn }

func (s *Server) evidenceArrived(ctx context.Context, digest string) {
	if s.evidence != nil {
		s.evidence(ctx, digest)
	}
}

func (s *Server) rules() supply.Rules { return supply.Rules{DB: s.svc.DB} }

func (s *Server) reports() supply.Reports {
	return supply.Reports{DB: s.svc.DB, Arrived: s.evidenceArrived}
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) error {
	items, err := s.rules().List(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[rules.Rule]{Items: items, Total: len(items)})
	return nil
}

func (s *Server) getRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.rules().Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request) error {
	var in rules.Rule
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rule, err := s.rules().Create(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rule)
	return nil
}

func (s *Server) replaceRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in rules.Rule
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rule, err := s.rules().Replace(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.rules().Delete(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readReport reads a scan report, which may be far larger than other
// bodies: a whole distribution's findings.
func readReport(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, verify.MaxReportBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, airlock.Errorf(airlock.ETOOLARGE, "a scan report must be at most %d bytes", verify.MaxReportBytes)
	}
	if err != nil {
		return nil, airlock.Errorf(airlock.EBADREQUEST, "reading request body: %v", err)
	}
	return body, nil
}

func (s *Server) postScanReport(w http.ResponseWriter, r *http.Request) error {
	body, err := readReport(r)
	if err != nil {
		return err
	}
	stored, err := s.reports().PostReport(r.Context(), actor(r), body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, stored)
	return nil
}

// harborScan takes Harbor's SCANNING_COMPLETED webhook, authenticated like
// a push delivery; Harbor's other events are acknowledged and ignored.
func (s *Server) harborScan(w http.ResponseWriter, r *http.Request) error {
	body, err := readReport(r)
	if err != nil {
		return err
	}
	in := service.Delivery{Source: "harbor", Header: r.Header, Query: r.URL.Query(), Body: body}
	from, err := s.svc.AuthenticateWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	if err := s.limit(w, r, s.webhookLimiter, from.Key()); err != nil {
		return err
	}
	stored, ok, err := s.reports().HarborScan(r.Context(), "harbor", body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"scan": ok, "reports": stored})
	return nil
}

func (s *Server) postCheck(w http.ResponseWriter, r *http.Request) error {
	var in supply.CheckInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := s.reports().PostCheck(r.Context(), actor(r), r.PathValue("digest"), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
