package bench

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestRunSmallFleet runs every scenario but serve's RSS (no binary) over a
// small fleet on each engine, and checks each row has its rounds.
func TestRunSmallFleet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		cfg := Config{DatabaseURL: dbURL, Devices: 300, Rounds: 2, Duration: 150 * time.Millisecond, Workers: 4}
		r, err := Run(context.Background(), cfg, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 19 {
			t.Errorf("%d rows, want 19", len(r.Rows))
		}
		for _, row := range r.Rows {
			want := 2
			if strings.HasPrefix(row.Scenario, "bulk import") {
				want = 1 // 300 devices: one request
			}
			if len(row.Rounds) != want || row.Median <= 0 {
				t.Errorf("%s: rounds %v, median %v", row.Scenario, row.Rounds, row.Median)
			}
		}
		if row, _ := find(r, "immediate rollout over 300 devices, push to all target states written"); row.Median > 60 {
			t.Errorf("rollout took %v s", row.Median)
		}
	})
}

func TestRowMedianAndBest(t *testing.T) {
	times := row("t", unitMS, "", []float64{30, 10, 20})
	if times.Median != 20 || times.Best != 10 || times.Worst != 30 {
		t.Errorf("times: %+v", times)
	}
	rates := row("r", unitRate, "", []float64{30, 10, 20, 40})
	if rates.Median != 25 || rates.Best != 40 || rates.Worst != 10 {
		t.Errorf("rates: %+v", rates)
	}
	if got := ratios([]float64{5, 9}, []float64{10, 0}); got[0] != 0.5 || got[1] != 0 {
		t.Errorf("ratios: %v", got)
	}
}

// TestMarkdownPutsEnginesSideBySide merges a report of each engine into
// one table, SQLite's column first whatever the order given.
func TestMarkdownPutsEnginesSideBySide(t *testing.T) {
	pg := Report{Engine: "postgres", Rows: []Row{row("poll", unitRate, "≥ 1", []float64{2000, 1000, 3000}),
		row("only on pg", unitMS, "", []float64{4})}}
	lite := Report{Engine: "sqlite", Rows: []Row{row("poll", unitRate, "≥ 1", []float64{12000, 11000, 13000}),
		row("ratio", unitRatio, "≥ 0.5×", []float64{0.4, 0.6, 0.5})}}
	var b bytes.Buffer
	Markdown(&b, pg, lite)
	out := b.String()
	for _, want := range []string{
		"| scenario | target | SQLite | PostgreSQL |",
		"| poll | ≥ 1 | 12,000 req/s (13,000) | 2,000 req/s (3,000) |",
		"| only on pg |  | — | 4.00 ms (4.00) |",
		"| ratio | ≥ 0.5× | 0.50× (0.40–0.60) | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
