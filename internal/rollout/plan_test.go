package rollout_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/rollout"
)

func devices(n int) []string {
	d := make([]string, n)
	for i := range d {
		d[i] = fmt.Sprintf("d%d", i+1)
	}
	return d
}

// sizes returns the batch sizes of a plan.
func sizes(plan [][]string) []int {
	var s []int
	for _, b := range plan {
		s = append(s, len(b))
	}
	return s
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name                  string
		n                     int
		strategy              string
		size, percent, canary int
		want                  []int
	}{
		{"no devices", 0, "staged", 2, 0, 0, nil},
		{"immediate", 5, "immediate", 2, 0, 0, []int{5}},
		{"staged even", 6, "staged", 2, 0, 0, []int{2, 2, 2}},
		{"staged remainder", 7, "staged", 3, 0, 0, []int{3, 3, 1}},
		{"staged larger than fleet", 2, "staged", 10, 0, 0, []int{2}},
		{"percent rounds up", 10, "staged", 0, 25, 0, []int{3, 3, 3, 1}},
		{"percent at least one", 3, "staged", 0, 1, 0, []int{1, 1, 1}},
		{"percent over 100", 3, "staged", 0, 500, 0, []int{3}},
		{"neither size nor percent", 4, "staged", 0, 0, 0, []int{4}},
		{"canary then staged", 7, "canary", 3, 0, 1, []int{1, 3, 3}},
		{"canary then percent of all", 10, "canary", 0, 50, 2, []int{2, 5, 3}},
		{"canary bigger than fleet", 2, "canary", 3, 0, 5, []int{2}},
		{"canary without size", 4, "canary", 2, 0, 0, []int{2, 2}},
		{"manual plans like staged", 5, "manual", 2, 0, 0, []int{2, 2, 1}},
		{"unknown plans like staged", 5, "bogus", 2, 0, 0, []int{2, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := devices(tt.n)
			plan := rollout.Plan(d, tt.strategy, tt.size, tt.percent, tt.canary)
			if diff := cmp.Diff(tt.want, sizes(plan)); diff != "" {
				t.Errorf("sizes (-want +got):\n%s", diff)
			}
			if got := slices.Concat(plan...); tt.n > 0 && !slices.Equal(got, d) {
				t.Errorf("order lost: %v", got)
			}
		})
	}
}

func TestPlanBatchesDoNotAlias(t *testing.T) {
	plan := rollout.Plan(devices(4), "staged", 2, 0, 0)
	_ = append(plan[0], "x")
	if plan[1][0] != "d3" {
		t.Fatalf("appending to batch 1 overwrote batch 2: %v", plan)
	}
}

func FuzzPlan(f *testing.F) {
	f.Add(0, "staged", 2, 0, 0)
	f.Add(6, "staged", 2, 0, 0)
	f.Add(10, "canary", 0, 30, 2)
	f.Add(3, "immediate", 0, 0, 0)
	f.Add(9, "manual", -1, -5, -3)
	f.Add(100, "staged", 0, 100, 0)
	f.Fuzz(func(t *testing.T, n int, strategy string, size, percent, canary int) {
		if n < 0 || n > 2000 {
			t.Skip()
		}
		d := devices(n)
		plan := rollout.Plan(d, strategy, size, percent, canary)
		if n == 0 && len(plan) != 0 {
			t.Fatalf("zero devices gave %d batches", len(plan))
		}
		for i, b := range plan {
			if len(b) == 0 {
				t.Fatalf("batch %d is empty", i)
			}
		}
		if got := slices.Concat(plan...); !slices.Equal(got, d) {
			t.Fatalf("batches %v do not partition the devices in order", sizes(plan))
		}
	})
}
