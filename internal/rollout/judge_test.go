package rollout_test

import (
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/rollout"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

const target = "docker.io/library/redis:7.5-alpine"

func ptr[T any](v T) *T { return &v }

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestExceeded(t *testing.T) {
	tests := []struct {
		failed, judged, percent, min int
		want                         bool
	}{
		{0, 0, 20, 1, false},
		{0, 10, 20, 1, false}, // no failure never stops
		{1, 5, 20, 1, true},   // exactly 20%: reaching the threshold stops
		{1, 6, 20, 1, false},  // 16.6%
		{2, 10, 20, 1, true},  // exactly 20%
		{1, 10, 20, 1, false}, // 10%
		{1, 1, 20, 3, false},  // below the minimum sample
		{1, 2, 20, 3, false},  // still below
		{1, 3, 20, 3, true},   // minimum reached: 33%
		{1, 3, 34, 3, false},  // 33.3% < 34%
		{1, 3, 33, 3, true},   // 33.3% ≥ 33%
		{3, 3, 100, 1, true},  // 100% means all judged failed
		{2, 3, 100, 1, false}, //
		{1, 100, 1, 1, true},  // 1%
		{1, 101, 1, 1, false}, // 0.99%
		{1, 1, 20, 0, true},   // no minimum
	}
	for _, tt := range tests {
		if got := rollout.Exceeded(tt.failed, tt.judged, tt.percent, tt.min); got != tt.want {
			t.Errorf("Exceeded(%d, %d, %d, %d) = %v, want %v", tt.failed, tt.judged, tt.percent, tt.min, got, tt.want)
		}
	}
}

func TestRunsPinnedTarget(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const other = "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	pinned, tag := "docker.io/library/redis:7@"+d, "docker.io/library/redis:7"
	cases := []struct {
		target string
		r      rollout.Report
		want   bool
	}{
		{pinned, rollout.Report{Image: pinned}, true},
		{pinned, rollout.Report{Image: tag, Digest: d}, true},
		{pinned, rollout.Report{Image: tag}, false},
		{pinned, rollout.Report{Image: tag, Digest: other}, false},
		{pinned, rollout.Report{Image: "docker.io/library/redis:7@" + other}, false},
		{tag, rollout.Report{Image: tag}, true},
		{tag, rollout.Report{Image: pinned}, true},
		{tag, rollout.Report{Image: "docker.io/library/redis:7.1"}, false},
	}
	for _, c := range cases {
		if got := rollout.Runs(c.target, c.r); got != c.want {
			t.Errorf("Runs(%s, %+v) = %v, want %v", c.target, c.r, got, c.want)
		}
	}
}
