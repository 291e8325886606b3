package api

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/api/supplyapi"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/supply"
)

func (s *Server) supplyRoutes() []Route {
	h := supplyapi.Handlers{Rules: supply.Rules{DB: s.svc.DB}, Audit: supply.Audit{DB: s.svc.DB}, Actor: actor, Log: s.log,
		Reports: supply.Reports{DB: s.svc.DB, Arrived: s.evidenceArrived}, Filter: eventFilter, Vouch: s.vouchHarbor,
		Checker: &supply.Checker{DB: s.svc.DB, Clients: s.svc.RegistryClients, Log: s.log}}
	return []Route{
		{"GET", "/api/v1/rules", Viewer, h.ListRules},
		{"POST", "/api/v1/rules", Admin, h.CreateRule},
		{"GET", "/api/v1/rules/{id}", Viewer, h.GetRule},
		{"PUT", "/api/v1/rules/{id}", Admin, h.ReplaceRule},
		{"DELETE", "/api/v1/rules/{id}", Admin, h.DeleteRule},
		{"POST", "/api/v1/rules/evaluate", Approver, h.Evaluate},
		{"POST", "/api/v1/scan-reports", Scanner, h.PostScanReport},
		{"POST", "/api/v1/scan-reports/harbor", Webhook, h.HarborScan},
		{"GET", "/api/v1/scan-reports/{digest}", Viewer, h.LatestScanReport},
		{"POST", "/api/v1/releases/by-digest/{digest}/checks", CI, h.PostCheck},
		{"POST", "/api/v1/releases/{id}/checks", CI, h.PostReleaseCheck},
		{"GET", "/api/v1/events/export", Viewer, h.ExportEvents},
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

// vouchHarbor authenticates Harbor's scan webhook like a push delivery,
// and limits its sender.
func (s *Server) vouchHarbor(w http.ResponseWriter, r *http.Request, body []byte) error {
	from, err := s.svc.AuthenticateWebhook(r.Context(), service.Delivery{Source: "harbor", Header: r.Header, Query: r.URL.Query(), Body: body})
	if err != nil {
		return err
	}
	return s.limit(w, r, s.webhookLimiter, from.Key())
}
