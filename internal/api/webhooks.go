package api

import (
	"context"
	"net/http"

	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/webhook"
)

func (s *Server) webhookRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/webhooks/{source}", Webhook, s.receiveWebhook},
	}
}

// senderKey holds the webhook.Sender a delivery's secret proved.
type senderKey struct{}

// webhookSender is who an authenticated delivery speaks for: a registry or
// the global secret. Limits per sender key on its Key().
func webhookSender(r *http.Request) (webhook.Sender, bool) {
	from, ok := r.Context().Value(senderKey{}).(webhook.Sender)
	return from, ok
}

// receiveWebhook answers a registry's push delivery. The secret is checked
// over the raw body, so nothing is parsed before it is authenticated. A
// refusal is a 403 only for the guide's senders; registries that retry
// anything but 2xx for ever get 200 and the verdict in the body.
func (s *Server) receiveWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in := service.Delivery{Source: r.PathValue("source"), Header: r.Header, Query: r.URL.Query(), Body: body}
	from, err := s.svc.AuthenticateWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	r = r.WithContext(context.WithValue(r.Context(), senderKey{}, from))
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
