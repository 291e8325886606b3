package api

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/service"
)

func (s *Server) webhookRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/webhooks/{source}", Webhook, s.receiveWebhook},
	}
}

// receiveWebhook answers a registry's push delivery. The service checks the
// secret over the raw body, so nothing is parsed before it is authenticated,
// and the sender it names is rate limited.
func (s *Server) receiveWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in := service.Delivery{Source: r.PathValue("source"), Header: r.Header, Query: r.URL.Query(), Body: body}
	sender, err := s.svc.WebhookSender(in)
	if err != nil {
		return err
	}
	if err := s.limit(w, r, s.webhookLimiter, sender); err != nil {
		return err
	}
	answer, err := s.svc.Intake(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if answer.Refused {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(answer.Body, '\n'))
	return nil
}
