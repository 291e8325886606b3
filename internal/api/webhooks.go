package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/service"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

func (s *Server) webhookRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/webhooks/{source}", Webhook, s.receiveWebhook},
	}
}

// receiveWebhook answers a registry's push delivery. The secret is checked
// over the raw body, so nothing is parsed before it is authenticated. A
// refusal is a 403 only for the guide's senders; registries that retry
// anything but 2xx for ever get 200 and the verdict in the body. The sender the credential names is rate limited.
func (s *Server) receiveWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	in := service.Delivery{Source: r.PathValue("source"), Header: r.Header, Query: r.URL.Query(), Body: body}
	// from is who the delivery speaks for; limits per sender are keyed by
	// from.Key() ("registry/<id>" or "global"), after the credential is checked.
	from, err := s.svc.AuthenticateWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	if err := s.limit(w, r, s.webhookLimiter, from.Key()); err != nil {
		return err
	}
	answer, err := s.svc.Intake(r.Context(), from, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if answer.Forbid {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(answer.Body, '\n'))
	return nil
}
