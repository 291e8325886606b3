// Package service holds Airlock's use cases. Each validates its input, then
// runs as one store transaction that writes the change and its events together.
package service

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
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

	seen seenBatch // devices seen since last_seen_at was last written; see devicekeys.go

	MonitorSettings              // the rollout monitor; see monitor.go
	mon             monitorState // its leadership
}

// NewSecret returns a random secret of n bytes, URL-safe encoded, with a
// prefix that says what it is (so a leaked one is recognisable).
func NewSecret(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
