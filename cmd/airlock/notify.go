package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/notify"
	"github.com/airlock-iot/airlock/internal/store"
)

// startNotify runs the notification worker; it does nothing when no
// receiver is configured. Links in messages need AIRLOCK_PUBLIC_URL.
func startNotify(ctx context.Context, cfg config.Config, db *store.DB, log *slog.Logger) (stop func(), err error) {
	w, err := notify.New(ctx, db, log, notify.Config{URLs: cfg.NotifyURLs, Secret: cfg.NotifySecret, SMTPURL: cfg.SMTPURL,
		EmailTo: cfg.NotifyEmailTo, EmailFrom: cfg.NotifyEmailFrom, PublicURL: strings.TrimSuffix(cfg.PublicURL, "/")})
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return w.Start(ctx), nil
}
