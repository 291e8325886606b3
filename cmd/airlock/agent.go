package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/agent"
)

// agentCmd runs a simulated fleet against a server until Ctrl-C.
func agentCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("airlock agent", flag.ContinueOnError)
	var cfg agent.Config
	fs.StringVar(&cfg.Server, "server", envOr("AIRLOCK_SERVER", "http://localhost:4002"), "Airlock server URL (AIRLOCK_SERVER)")
	fs.StringVar(&cfg.Token, "token", os.Getenv("AIRLOCK_ADMIN_TOKEN"), "admin token, to provision devices (AIRLOCK_ADMIN_TOKEN)")
	fs.IntVar(&cfg.Devices, "devices", 10, "number of simulated devices")
	fs.StringVar(&cfg.Image, "image", "redis:7.5-alpine", "image new devices start with")
	fs.StringVar(&cfg.App, "app", "cache", "name of the app that runs the image")
	failTags := fs.String("fail-tags", "", "comma-separated tags the devices fail to run, e.g. 7.7-alpine")
	labels := fs.String("labels", "fleet=sim", "labels of new devices, key=value[,key=value]")
	fs.DurationVar(&cfg.Interval, "interval", 5*time.Second, "poll interval (±20% jitter)")
	fs.DurationVar(&cfg.PullDelay, "pull-delay", 0, "longest simulated image pull (default the interval, at most 2s)")
	fs.StringVar(&cfg.KeysFile, "keys", "", "JSON file of device keys: reused when present, new devices saved to it")
	verbose := fs.Bool("v", false, "log failed requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.FailTags = splitComma(*failTags)
	var err error
	if cfg.Labels, err = parseLabels(*labels); err != nil {
		return err
	}
	if *verbose {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	fmt.Fprintf(os.Stderr, "starting %d simulated devices against %s (Ctrl-C stops)\n", cfg.Devices, cfg.Server)
	return agent.Run(ctx, cfg, os.Stdout)
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range splitComma(s) {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--labels: want key=value, got %q", p)
		}
		out[k] = v
	}
	return out, nil
}
