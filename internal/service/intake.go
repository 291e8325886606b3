package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/service/intake"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// Delivery is one webhook request as received; see intake.Delivery.
type Delivery = intake.Delivery

// DefaultDeliveryRetention is how long a delivery's answer is kept when
// DeliveryRetention is not set.
const DefaultDeliveryRetention = intake.DefaultDeliveryRetention

func (s *Service) intake() intake.Intake {
	return intake.Intake{DB: s.DB, Log: s.Log, Internal: s.Internal, WebhookSecret: s.WebhookSecret,
		DeliveryRetention: s.DeliveryRetention, Engine: s.engine(), Releases: s.releases(),
		Prejudge: s.judge().Prejudge, Refusal: supply.Refusal}
}

// AuthenticateWebhook says whose secret a delivery carries; see intake.Intake.AuthenticateWebhook.
func (s *Service) AuthenticateWebhook(ctx context.Context, in Delivery) (webhook.Sender, error) {
	return s.intake().AuthenticateWebhook(ctx, in)
}

// Intake decodes and gates one delivery; see intake.Intake.Intake.
func (s *Service) Intake(ctx context.Context, from webhook.Sender, in Delivery) (catalog.Answer, error) {
	return s.intake().Intake(ctx, from, in)
}
