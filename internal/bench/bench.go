// Package bench measures Airlock on the machine it runs on: it starts the
// real server in-process beside a bare net/http baseline and drives both with
// a load generator. A scenario with a baseline alternates baseline and
// subject rounds, so that the machine's drift falls on both alike, and
// reports the median and best of its rounds and the median of the per-round
// ratios.
package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// Config says what to run.
type Config struct {
	DatabaseURL string        // "" for SQLite in a temporary directory
	Quick       bool          // short rounds and a small fleet
	Devices     int           // fleet size of the fleet-sized scenarios
	Rounds      int           // rounds of every scenario, alternating where there is a baseline
	Duration    time.Duration // per load round
	Workers     int           // concurrent clients
	ServeBinary string        // the airlock binary, to measure serve's RSS; "" skips it
	Only        []string      // names of the scenarios to run (the import always runs: it makes the fleet); nil: all
}

// Defaults fills what cfg leaves unset.
func (cfg Config) Defaults() Config {
	if cfg.Duration == 0 {
		cfg.Duration = 5 * time.Second
		if cfg.Quick {
			cfg.Duration = time.Second
		}
	}
	if cfg.Workers == 0 {
		cfg.Workers = 16
	}
	if cfg.Devices == 0 {
		cfg.Devices = 100_000
		if cfg.Quick {
			cfg.Devices = 2_000
		}
	}
	if cfg.Rounds == 0 {
		cfg.Rounds = 3
	}
	return cfg
}

// runs reports whether cfg runs the scenario named name.
func (cfg Config) runs(name string) bool {
	return cfg.Only == nil || name == scenarios[0].name || slices.Contains(cfg.Only, name)
}

// Scenarios are the names of the scenarios, in the order they run.
func Scenarios() []string {
	names := make([]string, len(scenarios))
	for i, sc := range scenarios {
		names[i] = sc.name
	}
	return names
}

// Report is a whole run on one engine.
type Report struct {
	Engine  string    `json:"engine"`
	Started time.Time `json:"started"`
	Devices int       `json:"devices"`
	Rounds  int       `json:"rounds"`
	Quick   bool      `json:"quick"`
	Rows    []Row     `json:"rows"`
}

type scenario struct {
	name string
	run  func(ctx context.Context, e *env, cfg Config) ([]Row, error)
}

// scenarios run in this order: the polls need the fleet's target states as
// imported, so they run before the rollouts change every one of them.
var scenarios = []scenario{
	{"bulk import", benchImport},
	{"webhooks", benchWebhooks},
	{"devices", benchDevices},
	{"poll while target states change", benchChurn},
	{"deep pages", benchPages},
	{"rollouts", benchRollouts},
	{"monitor", benchMonitor},
	{"serve's RSS", benchRSS},
}

// Run runs every scenario, telling progress what it is doing.
func Run(ctx context.Context, cfg Config, progress io.Writer) (Report, error) {
	cfg = cfg.Defaults()
	env, err := start(ctx, cfg, progress)
	if err != nil {
		return Report{}, err
	}
	defer env.close()
	r := Report{Engine: env.db.Engine, Started: time.Now().UTC(), Devices: cfg.Devices, Rounds: cfg.Rounds, Quick: cfg.Quick}
	for _, sc := range scenarios {
		if !cfg.runs(sc.name) {
			continue
		}
		env.logf("%s…", sc.name)
		t0 := time.Now()
		rows, err := sc.run(ctx, env, cfg)
		if err != nil {
			return r, fmt.Errorf("%s: %w", sc.name, err)
		}
		for _, row := range rows {
			env.logf("  %s", row.line())
		}
		env.logf("%s: done in %s", sc.name, time.Since(t0).Round(time.Second))
		r.Rows = append(r.Rows, rows...)
	}
	return r, nil
}
