package bench

import (
	"fmt"
	"io"
	"strings"
)

// engineNames are the table's columns, in this order.
var engineNames = []struct{ engine, title string }{{"sqlite", "SQLite"}, {"postgres", "PostgreSQL"}}

// Markdown writes reports as one table, ready to paste into BENCHMARKS.md:
// a row a scenario and a column an engine, each cell "median (best)" over
// its rounds. Reports of one engine given twice: the last counts.
func Markdown(w io.Writer, reports ...Report) {
	byEngine := map[string]Report{}
	var order []string // scenarios in the order first seen
	seen := map[string]bool{}
	for _, r := range reports {
		byEngine[r.Engine] = r
		for _, row := range r.Rows {
			if !seen[row.Scenario] {
				seen[row.Scenario] = true
				order = append(order, row.Scenario)
			}
		}
	}
	head, rule := "| scenario | target |", "|---|---|"
	var cols []Report
	for _, e := range engineNames {
		if r, ok := byEngine[e.engine]; ok {
			head += " " + e.title + " |"
			rule += "---|"
			cols = append(cols, r)
		}
	}
	fmt.Fprintln(w, caption(cols))
	fmt.Fprintln(w)
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, sc := range order {
		line := "| " + sc + " | " + targetOf(cols, sc) + " |"
		for _, r := range cols {
			line += " " + cellOf(r, sc) + " |"
		}
		fmt.Fprintln(w, line)
	}
}

func caption(cols []Report) string {
	var parts []string
	for _, r := range cols {
		parts = append(parts, fmt.Sprintf("%s: %d devices, %d rounds, %s", r.Engine, r.Devices, r.Rounds, r.Started.Format("2006-01-02 15:04Z")))
	}
	return "`airlock bench`, median (best) of the rounds; ratios: median of the per-round ratios (lowest–highest). " +
		strings.Join(parts, "; ") + "."
}

func find(r Report, scenario string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Scenario == scenario {
			return row, true
		}
	}
	return Row{}, false
}

func targetOf(cols []Report, scenario string) string {
	for _, r := range cols {
		if row, ok := find(r, scenario); ok && row.Target != "" {
			return row.Target
		}
	}
	return ""
}

func cellOf(r Report, scenario string) string {
	if row, ok := find(r, scenario); ok {
		return row.cell()
	}
	return "—"
}
