package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
)

func loadConfig(name string, args []string) (config.Config, error) {
	return config.Load(flag.NewFlagSet("airlock "+name, flag.ContinueOnError), args, os.LookupEnv)
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	log.Info("database ready", "engine", db.Engine, "migrations_applied", n)
	return db, nil
}

func newService(cfg config.Config, db *store.DB, log *slog.Logger) (*service.Service, error) {
	prefixes, err := imageref.ParsePrefixes(cfg.InternalPrefixes)
	if err != nil {
		return nil, fmt.Errorf("AIRLOCK_INTERNAL_PREFIXES: %w", err)
	}
	return &service.Service{DB: db, Log: log, Internal: prefixes, OfflineAfter: cfg.DeviceOfflineAfter,
		PublicURL: cfg.PublicURL, DeliveryRetention: cfg.DeliveryRetention}, nil
}

func serve(ctx context.Context, args []string) error {
	cfg, err := loadConfig("serve", args)
	if err != nil {
		return err
	}
	log := cfg.Logger(os.Stderr)
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := newService(cfg, db, log)
	if err != nil {
		return err
	}
	if err := bootstrap(ctx, svc, cfg, log); err != nil {
		return err
	}
	a := api.New(svc, log)
	a.SetRateLimits(api.RateLimits(cfg.RateLimits))
	a.SetMetricsToken(cfg.MetricsToken)
	stopStreams := context.AfterFunc(ctx, a.Close) // event streams end as shutdown begins
	defer stopStreams()
	stopNotify, err := startNotify(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer stopNotify()
	svc.MonitorInterval = cfg.MonitorInterval
	defer svc.StartMonitor(ctx)() // stops, giving its lease up, before the database closes
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("airlock listening", "addr", ln.Addr().String(), "version", version)
	if err := runServer(ctx, ln, a, cfg.ShutdownTimeout); err != nil {
		return err
	}
	log.Info("airlock stopped")
	return nil
}

// runServer serves until ctx ends, then lets in-flight requests finish.
func runServer(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
