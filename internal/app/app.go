// Package app puts Airlock together: the database, the use cases, the event
// hub, metrics, the HTTP API and the background jobs, in the one order they
// need. serve, the end-to-end test server and the benchmark all start the
// system through it, so that what is tested is what runs.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/metrics"
	"github.com/airlock-iot/airlock/internal/notify"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/store"
)

// App is a wired Airlock.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *store.DB
	Service *service.Service
	Hub     *events.Hub
	Metrics *metrics.Set
	API     *api.Server
	Notify  *notify.Worker

	ownDB bool // opened here, so closed here
	stops []func()
}

// Options change how New wires the system. The zero value is serve's.
type Options struct {
	// DB is an open, migrated database to use instead of opening
	// Config.DatabaseURL (tests, which make one per test). Close leaves it open.
	DB *store.DB
	// Service adjusts the use cases before anything uses them (a clock,
	// a monitor lease, hooks).
	Service func(*service.Service)
}

// OpenDB opens and migrates the database at cfg.DatabaseURL.
func OpenDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
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

// New wires the system over cfg. Nothing runs in the background until Start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (*App, error) {
	a := &App{Config: cfg, Log: log, DB: o.DB}
	if a.DB == nil {
		db, err := OpenDB(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		a.DB, a.ownDB = db, true
	}
	if err := a.wire(ctx, o); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context, o Options) error {
	svc, err := service.New(a.DB, a.Log, a.Config)
	if err != nil {
		return err
	}
	a.Service = svc
	svc.Clients = releases.NewClients(service.DefaultRegistryConfig)
	svc.RegistryClients = svc.Clients.Pool
	if o.Service != nil {
		o.Service(svc)
	}
	if err := svc.SyncRegistries(ctx); err != nil {
		return fmt.Errorf("registry clients: %w", err)
	}
	a.Metrics = metrics.New(a.DB, a.Log)
	if svc.OnMonitorTick == nil {
		svc.OnMonitorTick = a.Metrics.ObserveMonitorTick
	}
	svc.OnMirrored = a.Metrics.ObserveMirrored
	a.Hub = events.NewHub(a.DB, a.Log)
	a.API = api.New(svc, a.Hub, a.Metrics, a.Log)
	a.API.SetRateLimits(a.Config.RateLimits)
	a.API.SetEvidenceHook(func(ctx context.Context, digest string) {
		if err := svc.Reevaluate(ctx, digest); err != nil {
			a.Log.WarnContext(ctx, "re-evaluating releases after new evidence", "digest", digest, "err", err)
		}
	})
	a.API.SetMetricsToken(a.Config.MetricsToken)
	cfg := a.Config
	a.Notify, err = notify.New(ctx, a.DB, a.Log, notify.Config{URLs: cfg.NotifyURLs, Secret: cfg.NotifySecret,
		SMTPURL: cfg.SMTPURL, EmailTo: cfg.NotifyEmailTo, EmailFrom: cfg.NotifyEmailFrom,
		PublicURL: strings.TrimSuffix(cfg.PublicURL, "/")})
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	return nil
}

// Bootstrap makes, on the first start, the admin token and webhook secret
// nobody configured. It returns each secret it made, to be shown once.
func (a *App) Bootstrap(ctx context.Context) (adminToken, webhookSecret string, err error) {
	adminToken, err = a.Service.Bootstrap(ctx, a.Config.AdminToken)
	if err != nil {
		return "", "", fmt.Errorf("bootstrap admin token: %w", err)
	}
	webhookSecret, err = a.Service.InitWebhookSecret(ctx, a.Config.WebhookSecret)
	return adminToken, webhookSecret, err
}

// Start runs the lease-led jobs, the rollout monitor, the release resolver and poller, and notifications,
// until ctx ends or Close. Event streams end as soon as ctx does, so that a
// graceful shutdown need not wait for clients that never hang up.
func (a *App) Start(ctx context.Context) {
	a.StartMonitor(ctx)
	a.Service.StartReleases(ctx)
	endStreams := context.AfterFunc(ctx, a.Hub.Close)
	a.stops = append(a.stops, a.Notify.Start(ctx), func() { endStreams() },
		approvals.Sweeping(ctx, a.DB, time.Minute, a.Log))
}

// StartMonitor runs the rollout monitor and the rollout planner alone
// (tests that want no notifications).
func (a *App) StartMonitor(ctx context.Context) {
	a.Service.StartMonitor(ctx)
	a.stops = append(a.stops, a.Service.StartPlanner(ctx))
}

// Close stops the jobs, each giving its lease up, ends the event streams,
// and closes the database if New opened it.
func (a *App) Close() error {
	for i := len(a.stops) - 1; i >= 0; i-- {
		a.stops[i]()
	}
	a.stops = nil
	if a.Service != nil {
		a.Service.Close()
	}
	if a.Hub != nil {
		a.Hub.Close()
	}
	if a.ownDB {
		return a.DB.Close()
	}
	return nil
}
