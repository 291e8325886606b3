package service

import (
	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// GlobalSender is the identity of a delivery signed with the global
// webhook secret. Webhook rate limits are kept per sender identity, so
// that unsigned calls never spend a real sender's budget.
const GlobalSender = "global"

// WebhookSender checks a delivery's credential and names who sent it.
func (s *Service) WebhookSender(in Delivery) (string, error) {
	if !webhook.Authenticate(s.WebhookSecret, in.Header, in.Query, in.Body) {
		return "", airlock.Errorf(airlock.EUNAUTHORIZED, "missing or invalid webhook secret")
	}
	return GlobalSender, nil
}
