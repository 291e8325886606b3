package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/service"
)

func migrate(ctx context.Context, args []string) error {
	cfg, err := loadConfig("migrate", args)
	if err != nil {
		return err
	}
	db, err := app.OpenDB(ctx, cfg, cfg.Logger(os.Stderr))
	if err != nil {
		return err
	}
	return db.Close()
}

func token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: airlock token create --name NAME --role admin|approver|viewer|scanner|ci")
	}
	fs := flag.NewFlagSet("airlock token create", flag.ContinueOnError)
	name := fs.String("name", "", "token name (shown as the actor in the audit trail)")
	role := fs.String("role", "viewer", "admin, approver, viewer, scanner or ci")
	dbURL := fs.String("database-url", "", "database (default AIRLOCK_DATABASE_URL or its _FILE, else sqlite:airlock.db)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var rest []string
	if *dbURL != "" {
		rest = []string{"-database-url", *dbURL}
	}
	cfg, err := loadConfig("token", rest)
	if err != nil {
		return err
	}
	log := cfg.Logger(os.Stderr)
	db, err := app.OpenDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := service.New(db, log, cfg)
	if err != nil {
		return err
	}
	tok, err := svc.CreateToken(ctx, "cli", service.TokenInput{Name: *name, Role: *role})
	if err != nil {
		return err
	}
	fmt.Printf("Created %s token %q (id %d). Secret, shown once:\n%s\n", tok.Role, tok.Name, tok.ID, tok.Secret)
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
