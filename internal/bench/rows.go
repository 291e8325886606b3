package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Units of a row. A row in a rate unit or a ratio is better higher; the
// others are better lower. Each tells which its best round is.
const (
	unitMS      = "ms"
	unitS       = "s"
	unitMB      = "MB"
	unitRate    = "req/s"
	unitDevices = "devices/s"
	unitRatio   = "×"
)

// Row is one line of the results: a measure taken once a round.
type Row struct {
	Scenario string    `json:"scenario"`
	Unit     string    `json:"unit"`
	Rounds   []float64 `json:"rounds"`
	Median   float64   `json:"median"`
	Best     float64   `json:"best"`  // the lowest time, the highest rate or ratio
	Worst    float64   `json:"worst"` // the other end
	Target   string    `json:"target,omitempty"`
}

func higherBetter(unit string) bool {
	return unit == unitRate || unit == unitDevices || unit == unitRatio
}

// row summarises the rounds of one measure.
func row(scenario, unit, target string, rounds []float64) Row {
	r := Row{Scenario: scenario, Unit: unit, Rounds: rounds, Target: target}
	if len(rounds) == 0 {
		return r
	}
	s := slices.Sorted(slices.Values(rounds))
	r.Median = s[len(s)/2]
	if len(s)%2 == 0 {
		r.Median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	r.Best, r.Worst = s[0], s[len(s)-1]
	if higherBetter(unit) {
		r.Best, r.Worst = r.Worst, r.Best
	}
	return r
}

// ratios are subject ÷ baseline, round by round (rates: higher is better).
func ratios(subject, baseline []float64) []float64 {
	out := make([]float64, len(subject))
	for i := range subject {
		if baseline[i] > 0 {
			out[i] = subject[i] / baseline[i]
		}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cell is a row as a table shows it: "median (best)", or for a ratio
// "median (lowest–highest)".
func (r Row) cell() string {
	if len(r.Rounds) == 0 {
		return "—"
	}
	if r.Unit == unitRatio {
		return fmt.Sprintf("%.2f× (%.2f–%.2f)", r.Median, r.Worst, r.Best)
	}
	return fmt.Sprintf("%s %s (%s)", num(r.Median), r.Unit, num(r.Best))
}

// num prints a figure with three significant digits or more, grouped.
func num(v float64) string {
	switch {
	case v >= 1000:
		s := fmt.Sprintf("%.0f", v)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// line is a row for the progress log, with every round.
func (r Row) line() string {
	rounds := make([]string, len(r.Rounds))
	for i, v := range r.Rounds {
		rounds[i] = num(v)
	}
	s := fmt.Sprintf("%-60s %s  rounds %s", r.Scenario, r.cell(), strings.Join(rounds, " · "))
	if r.Target != "" {
		s += "  (target " + r.Target + ")"
	}
	return s
}
