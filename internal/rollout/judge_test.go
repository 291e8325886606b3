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

func TestJudge(t *testing.T) {
	timeout := 5 * time.Minute
	tests := []struct {
		name string
		r    rollout.Report
		now  time.Time
		want string
	}{
		{"no report yet", rollout.Report{}, at(time.Minute), "updating"},
		{"no report by the deadline", rollout.Report{}, at(timeout), "timed_out"},
		{"just before the deadline", rollout.Report{}, at(timeout - time.Nanosecond), "updating"},
		{"running and healthy", rollout.Report{Image: target, Status: "running", Healthy: ptr(true), ReportedAt: at(time.Minute)}, at(time.Minute), "succeeded"},
		{"running without health", rollout.Report{Image: target, Status: "running", ReportedAt: at(time.Minute)}, at(time.Minute), "succeeded"},
		{"status is case-insensitive", rollout.Report{Image: target, Status: "Running", ReportedAt: at(time.Minute)}, at(time.Minute), "succeeded"},
		{"running but unhealthy", rollout.Report{Image: target, Status: "running", Healthy: ptr(false), ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"failed", rollout.Report{Image: target, Status: "failed", ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"exited", rollout.Report{Image: target, Status: "exited", ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"crashed", rollout.Report{Image: target, Status: "crashed", ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"dead", rollout.Report{Image: target, Status: "dead", ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"failure wins over healthy", rollout.Report{Image: target, Status: "exited", Healthy: ptr(true), ReportedAt: at(time.Minute)}, at(time.Minute), "failed"},
		{"pulling, not healthy yet", rollout.Report{Image: target, Status: "pulling", Healthy: ptr(false), ReportedAt: at(time.Minute)}, at(time.Minute), "updating"},
		{"starting keeps waiting", rollout.Report{Image: target, Status: "starting", ReportedAt: at(time.Minute)}, at(time.Minute), "updating"},
		{"starting until the deadline", rollout.Report{Image: target, Status: "restarting", ReportedAt: at(time.Minute)}, at(timeout), "timed_out"},
		{"old image still running", rollout.Report{Image: "docker.io/library/redis:7.4-alpine", Status: "running", Healthy: ptr(true), ReportedAt: at(time.Minute)}, at(time.Minute), "updating"},
		{"old image failing is not ours", rollout.Report{Image: "docker.io/library/redis:7.4-alpine", Status: "failed", ReportedAt: at(time.Minute)}, at(time.Minute), "updating"},
		{"stale report", rollout.Report{Image: target, Status: "running", ReportedAt: at(-time.Second)}, at(time.Minute), "updating"},
		{"stale failure", rollout.Report{Image: target, Status: "failed", ReportedAt: at(-time.Second)}, at(time.Minute), "updating"},
		{"report at the start counts", rollout.Report{Image: target, Status: "running", ReportedAt: t0}, t0, "succeeded"},
		{"success judged after the deadline", rollout.Report{Image: target, Status: "running", ReportedAt: at(timeout - time.Second)}, at(timeout + time.Minute), "succeeded"},
		{"success at the deadline", rollout.Report{Image: target, Status: "running", ReportedAt: at(timeout)}, at(timeout), "succeeded"},
		{"success after the deadline is too late", rollout.Report{Image: target, Status: "running", ReportedAt: at(timeout + time.Second)}, at(timeout + time.Second), "timed_out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rollout.Judge(target, tt.r, t0, tt.now, timeout); got != tt.want {
				t.Errorf("Judge = %q, want %q", got, tt.want)
			}
		})
	}
}

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
