package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/config"
)

func loadConfig(name string, args []string) (config.Config, error) {
	return config.Load(flag.NewFlagSet("airlock "+name, flag.ContinueOnError), args, os.LookupEnv)
}

func serve(ctx context.Context, args []string) error {
	cfg, err := loadConfig("serve", args)
	if err != nil {
		return err
	}
	log := cfg.Logger(os.Stderr)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close() // the jobs stop, giving their leases up, before the database closes
	if err := bootstrap(ctx, a, cfg, log); err != nil {
		return err
	}
	a.Start(ctx)
	if _, err := a.StartDebug(ctx); err != nil {
		return fmt.Errorf("debug listener: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("airlock listening", "addr", ln.Addr().String(), "version", version)
	if err := runServer(ctx, ln, a.API, cfg.ShutdownTimeout); err != nil {
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
