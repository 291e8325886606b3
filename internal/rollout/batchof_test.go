package rollout_test

import (
	"fmt"
	"testing"

	"github.com/airlock-iot/airlock/internal/rollout"
)

// TestBatchOfMatchesPlan: numbering devices one at a time gives the
// batches Plan gives the whole list, for every strategy and size.
func TestBatchOfMatchesPlan(t *testing.T) {
	for n := 1; n <= 23; n++ {
		devices := make([]string, n)
		for i := range devices {
			devices[i] = fmt.Sprint(i)
		}
		for _, s := range rollout.Strategies {
			for _, k := range [][3]int{{0, 0, 0}, {3, 0, 0}, {0, 25, 0}, {0, 10, 2}, {4, 0, 5}, {0, 0, 1}, {0, 150, 30}} {
				for b, batch := range rollout.Plan(devices, s, k[0], k[1], k[2]) {
					for _, d := range batch {
						var i int
						fmt.Sscan(d, &i)
						if got := rollout.BatchOf(i+1, n, s, k[0], k[1], k[2]); got != b+1 {
							t.Fatalf("BatchOf(%d, %d, %s, %v) = %d; Plan says %d", i+1, n, s, k, got, b+1)
						}
					}
				}
			}
		}
	}
	if got := rollout.BatchOf(12, 10, rollout.Staged, 3, 0, 0); got != 4 {
		t.Errorf("past n: got batch %d, want the last, 4", got)
	}
}

func TestBatchOfUncounted(t *testing.T) {
	const huge = int(^uint(0) >> 1)
	tests := []struct {
		ordinal, size, canary int
		strategy              string
		want                  int
	}{{7, 3, 0, rollout.Staged, 3}, {1, 0, 0, rollout.Staged, 1}, {1000, 0, 0, rollout.Staged, 1}, {2, 5, 2, rollout.Canary, 1},
		{3, 5, 2, rollout.Canary, 2}, {8, 5, 2, rollout.Canary, 3}, {99, 0, 0, rollout.Immediate, 1}}
	for _, tt := range tests {
		if got := rollout.BatchOf(tt.ordinal, huge, tt.strategy, tt.size, 0, tt.canary); got != tt.want {
			t.Errorf("BatchOf(%d, huge, %s, %d, 0, %d) = %d; want %d", tt.ordinal, tt.strategy, tt.size, tt.canary, got, tt.want)
		}
	}
}
