package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/config"
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
	slow     *http.Client // for requests that may take minutes: imports, pushes planning a fleet
	closers  []func()
	dbURL    string
	progress io.Writer
	began    time.Time
	fleet    fleet // the fleet-sized fleet, imported first
	devices  int   // devices provisioned in all
	tag      int   // the fleet's image tag now
	policy   bool  // the fleet's rollout policy is made

	stopPlanner func() // stops the in-process server's rollout planner
}

func start(ctx context.Context, cfg Config, progress io.Writer) (*env, error) {
	e := &env{client: client(cfg.Workers), slow: &http.Client{Timeout: rolloutDeadline}, progress: progress, began: time.Now()}
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
	if err := e.startAirlock(ctx); err != nil {
		return nil, errors.Join(err, e.close())
	}
	var err error
	e.baseline, err = e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"baseline"`)
		w.WriteHeader(http.StatusNotModified)
	}))
	return e, err
}

// startAirlock wires Airlock as serve does, over dbURL, with the rollout
// planner but no other background job: the monitor scenario ticks the
// monitor itself.
func (e *env) startAirlock(ctx context.Context) error {
	cfg := config.Default()
	cfg.DatabaseURL, cfg.AdminToken, cfg.WebhookSecret = e.dbURL, adminToken, webhookSecret
	cfg.ResolveUndeclared = false // the benchmark measures Airlock, not Docker Hub
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	e.closers = append(e.closers, func() { a.Close() })
	e.stopPlanner = a.Service.StartPlanner(ctx)
	e.closers = append(e.closers, func() { e.stopPlanner() })
	e.db, e.svc = a.DB, a.Service
	if _, _, err := a.Bootstrap(ctx); err != nil {
		return err
	}
	e.url, err = e.serve(a.API)
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

// logf writes a progress line, stamped with the time since the start.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.progress, "bench %6s: %s\n", time.Since(e.began).Round(time.Second), fmt.Sprintf(format, args...))
}

func (e *env) close() error {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
	return nil
}
