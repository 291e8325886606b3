package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/bench"
)

// benchFlags are airlock bench's own flags, beside the run's Config.
type benchFlags struct {
	engines, postgresURL, merge, cpuProfile, scenarios string
	asJSON                                             bool
}

// benchCmd runs the benchmark on each engine asked for, or merges reports
// saved as JSON, and prints one table with a column an engine (or JSON).
func benchCmd(ctx context.Context, args []string) error {
	cfg, f, err := parseBench(args)
	if err != nil {
		return err
	}
	if f.merge != "" {
		reports, err := readReports(strings.Split(f.merge, ","))
		if err != nil {
			return err
		}
		return printReports(reports, f.asJSON)
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if exe, err := os.Executable(); err == nil {
		cfg.ServeBinary = exe
	}
	reports, err := runEngines(ctx, cfg, f)
	if err != nil {
		return err
	}
	return printReports(reports, f.asJSON)
}

func parseBench(args []string) (bench.Config, benchFlags, error) {
	fs := flag.NewFlagSet("airlock bench", flag.ContinueOnError)
	var cfg bench.Config
	var f benchFlags
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "an EMPTY PostgreSQL database to measure on alone (default: SQLite in a temporary directory)")
	fs.StringVar(&f.engines, "engines", "", `engines to measure in turn, "sqlite,postgres" (PostgreSQL's database: --postgres-url)`)
	fs.StringVar(&f.postgresURL, "postgres-url", "", "the EMPTY PostgreSQL database --engines measures on")
	fs.StringVar(&f.merge, "merge", "", "print one table of these reports saved with --json (comma-separated files), measuring nothing")
	fs.IntVar(&cfg.Devices, "devices", 0, "fleet size of the fleet-sized scenarios (default 100000, 2000 with --quick)")
	fs.IntVar(&cfg.Rounds, "rounds", 0, "rounds of each scenario, alternating baseline and subject (default 3)")
	fs.BoolVar(&cfg.Quick, "quick", false, "short rounds and a small fleet")
	fs.DurationVar(&cfg.Duration, "duration", 0, "length of each load round (default 5s, 1s with --quick)")
	fs.IntVar(&cfg.Workers, "workers", 0, "concurrent clients (default 16)")
	fs.BoolVar(&f.asJSON, "json", false, "print the reports as JSON")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (read it with go tool pprof)")
	fs.StringVar(&f.scenarios, "scenarios", "", "run only these scenarios, comma-separated: "+strings.Join(bench.Scenarios(), ", ")+
		" (the bulk import always runs: it makes the fleet)")
	err := fs.Parse(args)
	if err == nil && f.scenarios != "" {
		cfg.Only, err = scenarioNames(f.scenarios)
	}
	if err == nil && (cfg.Rounds < 0 || cfg.Devices < 0) {
		err = errors.New("--rounds and --devices cannot be negative")
	}
	return cfg, f, err
}

// scenarioNames splits list, refusing a name no scenario has.
func scenarioNames(list string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(bench.Scenarios(), name) {
			return nil, fmt.Errorf("--scenarios: no scenario %q (there are: %s)", name, strings.Join(bench.Scenarios(), ", "))
		}
		out = append(out, name)
	}
	return out, nil
}

// runEngines runs the bench on each engine of f.engines, or on
// cfg.DatabaseURL alone.
func runEngines(ctx context.Context, cfg bench.Config, f benchFlags) ([]bench.Report, error) {
	if f.engines == "" {
		r, err := bench.Run(ctx, cfg, os.Stderr)
		return []bench.Report{r}, err
	}
	engines, err := engineURLs(f)
	if err != nil {
		return nil, err
	}
	var reports []bench.Report
	for _, e := range engines {
		cfg.DatabaseURL = e.url
		r, err := bench.Run(ctx, cfg, os.Stderr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		reports = append(reports, r)
	}
	return reports, nil
}

type engineURL struct{ name, url string }

// engineURLs are the database URLs of f.engines, checked before any runs.
func engineURLs(f benchFlags) ([]engineURL, error) {
	var out []engineURL
	for _, engine := range strings.Split(f.engines, ",") {
		switch engine = strings.TrimSpace(engine); engine {
		case "sqlite":
			out = append(out, engineURL{engine, ""}) // a temporary directory
		case "postgres":
			if f.postgresURL == "" {
				return nil, errors.New("--engines postgres needs --postgres-url, an EMPTY database")
			}
			out = append(out, engineURL{engine, f.postgresURL})
		default:
			return nil, fmt.Errorf("--engines: %q is neither sqlite nor postgres", engine)
		}
	}
	return out, nil
}

// printReports prints reports as JSON (a list), or as one markdown table.
func printReports(reports []bench.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	bench.Markdown(os.Stdout, reports...)
	return nil
}

// readReports reads files written with --json: each a list of reports.
func readReports(files []string) ([]bench.Report, error) {
	var all []bench.Report
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var rs []bench.Report
		if err := json.Unmarshal(b, &rs); err != nil {
			return nil, fmt.Errorf("%s: not a report list from airlock bench --json: %w", name, err)
		}
		all = append(all, rs...)
	}
	return all, nil
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
