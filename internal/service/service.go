// Package service holds Airlock's use cases. Each validates its input, then
// runs as one store transaction that writes the change and its events together.
package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/service/devices"
	"github.com/airlock-iot/airlock/internal/service/monitor"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
)

// Service is the set of use cases over one database.
type Service struct {
	DB            *store.DB
	Log           *slog.Logger
	Internal      imageref.Prefixes
	OfflineAfter  time.Duration
	WebhookSecret string // authenticates webhook deliveries; see InitWebhookSecret
	PublicURL     string // where registries reach this server, for webhook URLs; "" to use the request's
	// DeliveryRetention is how long a delivery's answer is kept for its
	// redeliveries; DefaultDeliveryRetention when zero.
	DeliveryRetention time.Duration
	// OnApproved, if set, is told after commit of each approved request and
	// whether an approver asked to deploy it: the releases' Reconsider.
	OnApproved func(ctx context.Context, req airlock.ApprovalRequest, deploy bool)
	// RegistryClients are the registry clients by host that rules read
	// signatures and labels through.
	RegistryClients *registry.Pool

	seen    devices.SeenBatch   // devices seen since last_seen_at was last written
	reports devices.ReportQueue // reports waiting for their group commit

	MonitorSettings               // the rollout monitor; see monitor.go
	mon             monitor.State // its leadership and stop functions

	ReleaseSettings // releases and their registries; see releases.go

	// Planning bounds how much of a rollout is planned in the request that
	// creates it and per planner transaction; see rollouts.PlanSettings.
	Planning rollouts.PlanSettings
}

// NewSecret returns a random secret of n bytes, URL-safe encoded, with a
// prefix that says what it is (so a leaked one is recognisable).
func NewSecret(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// New returns the use cases over db, configured by cfg.
func New(db *store.DB, log *slog.Logger, cfg config.Config) (*Service, error) {
	prefixes, err := imageref.ParsePrefixes(cfg.InternalPrefixes)
	if err != nil {
		return nil, fmt.Errorf("AIRLOCK_INTERNAL_PREFIXES: %w", err)
	}
	s := &Service{DB: db, Log: log, Internal: prefixes, OfflineAfter: cfg.DeviceOfflineAfter,
		PublicURL: cfg.PublicURL, DeliveryRetention: cfg.DeliveryRetention, RegistryClients: registry.NewPool(registry.Config{})}
	s.MonitorInterval = cfg.MonitorInterval
	s.ReleaseRules = supply.Hook
	s.OnApproved = func(ctx context.Context, req airlock.ApprovalRequest, deploy bool) {
		s.judge().Approved(ctx, req, deploy)
	}
	s.ResolveUndeclared = cfg.ResolveUndeclared
	return s, nil
}

// engine runs the rollout steps of a use case, logging to the service's log.
func (s *Service) engine() rollouts.Engine { return rollouts.Engine{Log: s.Log, Plan: s.Planning} }
