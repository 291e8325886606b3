package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"runtime/pprof"

	"github.com/airlock-iot/airlock/internal/bench"
)

// benchCmd runs the benchmark and prints its table (or JSON).
func benchCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("airlock bench", flag.ContinueOnError)
	var cfg bench.Config
	var asJSON bool
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "an EMPTY PostgreSQL database to measure on (default: SQLite in a temporary directory)")
	fs.BoolVar(&cfg.Quick, "quick", false, "short runs and a small fleet")
	fs.DurationVar(&cfg.Duration, "duration", 0, "length of each load scenario (default 10s, 2s with --quick)")
	fs.IntVar(&cfg.Workers, "workers", 0, "concurrent clients (default 16)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (read it with go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if exe, err := os.Executable(); err == nil {
		cfg.ServeBinary = exe
	}
	report, err := bench.Run(ctx, cfg, os.Stderr)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	report.Table(os.Stdout)
	return nil
}
