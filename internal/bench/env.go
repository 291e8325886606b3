package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
)

const (
	adminToken    = "alk_bench-admin-token-0123"
	webhookSecret = "whs_bench-webhook-secret-0123"
)

// env is the system under test: Airlock and the baseline, both on loopback.
type env struct {
	db       *store.DB
	svc      *service.Service
	url      string // Airlock
	baseline string // bare net/http answering 304
	client   *http.Client
	closers  []func()
	dbURL    string
	fleets   []fleet // seeded by the rollout scenarios, smallest first
	devices  int     // devices provisioned in all
}

func start(ctx context.Context, cfg Config) (*env, error) {
	e := &env{client: client(cfg.Workers)}
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "airlock-bench-")
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, func() { os.RemoveAll(dir) })
		dbURL = "sqlite:" + filepath.Join(dir, "airlock.db")
	}
	e.dbURL = dbURL
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, errors.Join(err, e.close())
	}
	e.db = db
	e.closers = append(e.closers, func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, e.close())
	}
	if err := e.startAirlock(ctx); err != nil {
		return nil, errors.Join(err, e.close())
	}
	e.baseline, err = e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"baseline"`)
		w.WriteHeader(http.StatusNotModified)
	}))
	return e, err
}

func (e *env) startAirlock(ctx context.Context) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prefixes, err := imageref.ParsePrefixes(config.Default().InternalPrefixes)
	if err != nil {
		return err
	}
	e.svc = &service.Service{DB: e.db, Log: log, Internal: prefixes, OfflineAfter: config.Default().DeviceOfflineAfter,
		WebhookSecret: webhookSecret}
	if _, err := e.svc.Bootstrap(ctx, adminToken); err != nil {
		return err
	}
	e.url, err = e.serve(api.New(e.svc, log))
	return err
}

// serve runs h on a loopback port until the env closes.
func (e *env) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	e.closers = append(e.closers, func() { srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

func (e *env) close() error {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
	return nil
}
