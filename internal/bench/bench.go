// Package bench measures Airlock on the machine it runs on: it starts the
// real server in-process beside a bare net/http baseline and drives both with
// a load generator, so ratios come from one run on one machine.
package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Config says what to run.
type Config struct {
	DatabaseURL string        // "" for SQLite in a temporary directory
	Quick       bool          // short runs and smaller fleets
	Duration    time.Duration // per load scenario
	Workers     int           // concurrent clients
	Fleet       []int         // fleet sizes for the rollout scenarios
	ServeBinary string        // the airlock binary, to measure serve's RSS; "" skips it
}

// Defaults fills what cfg leaves unset.
func (cfg Config) Defaults() Config {
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Second
		if cfg.Quick {
			cfg.Duration = 2 * time.Second
		}
	}
	if cfg.Workers == 0 {
		cfg.Workers = 16
	}
	if cfg.Fleet == nil {
		cfg.Fleet = []int{10_000, 100_000}
		if cfg.Quick {
			cfg.Fleet = []int{2_000}
		}
	}
	return cfg
}

// Row is one line of the results table.
type Row struct {
	Scenario string        `json:"scenario"`
	Stats    *Stats        `json:"stats,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns,omitempty"`
	Value    string        `json:"value,omitempty"`
	Ratio    float64       `json:"ratio_to_baseline,omitempty"`
	Target   string        `json:"target,omitempty"`
}

// Report is a whole run.
type Report struct {
	Engine  string    `json:"engine"`
	Started time.Time `json:"started"`
	Quick   bool      `json:"quick"`
	Rows    []Row     `json:"rows"`
}

// Run runs every scenario, telling progress what it is doing.
func Run(ctx context.Context, cfg Config, progress io.Writer) (Report, error) {
	cfg = cfg.Defaults()
	env, err := start(ctx, cfg)
	if err != nil {
		return Report{}, err
	}
	defer env.close()
	r := Report{Engine: env.db.Engine, Started: time.Now().UTC(), Quick: cfg.Quick}
	for _, sc := range scenarios {
		fmt.Fprintf(progress, "bench: %s…\n", sc.name)
		rows, err := sc.run(ctx, env, cfg)
		if err != nil {
			return r, fmt.Errorf("%s: %w", sc.name, err)
		}
		for _, row := range rows {
			fmt.Fprintf(progress, "bench:   %s\n", row.line())
		}
		r.Rows = append(r.Rows, rows...)
	}
	return r, nil
}

func (row Row) line() string {
	s := fmt.Sprintf("%-44s", row.Scenario)
	switch {
	case row.Stats != nil:
		s += " " + row.Stats.String()
	case row.Elapsed != 0:
		s += fmt.Sprintf(" %10s", round(row.Elapsed))
	}
	if row.Value != "" {
		s += " " + row.Value
	}
	if row.Ratio != 0 {
		s += fmt.Sprintf("  %.2fx baseline", row.Ratio)
	}
	if row.Target != "" {
		s += "  (target " + row.Target + ")"
	}
	return s
}

// Table renders the report for people.
func (r Report) Table(w io.Writer) {
	fmt.Fprintf(w, "airlock bench — %s, %s%s\n\n", r.Engine, r.Started.Format(time.RFC3339), map[bool]string{true: ", quick"}[r.Quick])
	for _, row := range r.Rows {
		fmt.Fprintln(w, row.line())
	}
}
