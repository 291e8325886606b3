package rollout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/rollout"
)

// rep is one report of the target at t0+sec seconds.
type rep struct {
	sec            float64
	status, health string
	restarts       int
	exit           *int
	msg            string
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// judgeSeries feeds reports one at a time to a single updating device,
// advancing after each, the way a monitor ticking on every report would,
// and returns its status and tracking at t0+end seconds.
func judgeSeries(s rollout.State, reports []rep, end float64) (string, rollout.Tracking) {
	s.Status, s.CurrentBatch, s.TotalBatches = "in_progress", 1, 1
	d := rollout.Device{UUID: "d1", Batch: 1, Status: "updating", Target: target, UpdatedAt: t0}
	judge := func(now time.Time) {
		for _, c := range rollout.Advance(s, []rollout.Device{d}, now).Changes {
			d.Status, d.Track = c.Status, c.Track
		}
	}
	for _, r := range reports {
		d.Report = rollout.Report{Image: target, Status: r.status, Health: r.health, RestartCount: r.restarts,
			ExitCode: r.exit, Message: r.msg, ReportedAt: at(secs(r.sec))}
		if d.Status == "updating" || d.Status == "baking" || d.Status == "deferred" {
			judge(at(secs(r.sec)))
		}
	}
	if d.Status == "updating" || d.Status == "baking" || d.Status == "deferred" {
		judge(at(secs(end)))
	}
	return d.Status, d.Track
}

// Policies of the judgement tests.
var (
	base      = rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 100, MinDevices: 1}
	bake      = rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 100, MinDevices: 1, Bake: 5 * time.Second}
	grace     = rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 100, MinDevices: 1, HealthGrace: 5 * time.Second}
	deferring = rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 100, MinDevices: 1, DeferTimeout: time.Minute}
)

func TestJudgement(t *testing.T) {
	tests := []struct {
		name    string
		s       rollout.State
		reports []rep
		end     float64
		want    string
		reason  string // a part of the reason
	}{
		{"starting for 3 s, then healthy", base, []rep{{sec: 0, status: "running", health: "starting"},
			{sec: 3, status: "running", health: "healthy"}}, 4, "succeeded", ""},
		{"starting is never a failure, only a timeout", base, []rep{{sec: 1, status: "running", health: "starting"},
			{sec: 19, status: "running", health: "starting"}}, 20, "timed_out", `health "starting"`},
		{"unhealthy within the grace waits", grace, []rep{{sec: 1, status: "running", health: "unhealthy"},
			{sec: 5.9, status: "running", health: "unhealthy"}}, 6, "updating", ""},
		{"unhealthy beyond the grace fails", grace, []rep{{sec: 1, status: "running", health: "unhealthy"},
			{sec: 6, status: "running", health: "unhealthy"}}, 6, "failed", "health grace of 5s"},
		{"grace defaults to the timeout", base, []rep{{sec: 1, status: "running", health: "unhealthy"},
			{sec: 15, status: "running", health: "unhealthy"}}, 15, "updating", ""},
		{"grace counts from running, not from the update", grace, []rep{{sec: 1, status: "created"},
			{sec: 10, status: "running", health: "unhealthy"}, {sec: 14, status: "running", health: "unhealthy"}}, 14, "updating", ""},
		{"failed always fails", base, []rep{{sec: 1, status: "failed", exit: ptr(137), msg: "OOMKilled"}}, 2, "failed", `status "failed", exit code 137`},
		{"exited always fails", base, []rep{{sec: 1, status: "exited", exit: ptr(0)}}, 1, "failed", `status "exited", exit code 0`},
		{"a restart while on the target is a crash", base, []rep{{sec: 1, status: "running", health: "starting", restarts: 2},
			{sec: 2, status: "running", health: "starting", restarts: 3}}, 3, "failed", "restarted 1 times"},
		{"healthy without a bake succeeds at once", base, []rep{{sec: 2, status: "running", health: "healthy"}}, 2, "succeeded", ""},
		{"no health check: running is the evidence", base, []rep{{sec: 2, status: "running"}}, 2, "succeeded", ""},
		{"baking until the bake time is over", bake, []rep{{sec: 2, status: "running", health: "healthy"},
			{sec: 6, status: "running", health: "healthy"}}, 6.5, "baking", ""},
		{"a healthy report after the bake time succeeds", bake, []rep{{sec: 2, status: "running", health: "healthy"},
			{sec: 7, status: "running", health: "healthy"}}, 7, "succeeded", ""},
		{"a crash 1.5 s into the bake fails", bake, []rep{{sec: 2, status: "running", health: "healthy"},
			{sec: 3.5, status: "exited", exit: ptr(1), msg: "panic: nil map"}}, 4, "failed", "exit code 1"},
		{"unhealthy during the bake fails", bake, []rep{{sec: 2, status: "running", health: "healthy"},
			{sec: 4, status: "running", health: "unhealthy"}}, 4, "failed", "within the bake time of 5s"},
		{"a restart during the bake fails", bake, []rep{{sec: 2, status: "running", health: "healthy"},
			{sec: 4, status: "running", health: "healthy", restarts: 1}}, 4, "failed", "restarted"},
		{"silent during the bake times out", bake, []rep{{sec: 2, status: "running", health: "healthy"}}, 27, "timed_out", "no report for the rest of the bake"},
		{"the bake may run past the timeout", bake, []rep{{sec: 18, status: "running", health: "healthy"},
			{sec: 23, status: "running", health: "healthy"}}, 23, "succeeded", ""},
		{"healthy only after the timeout is late", base, []rep{{sec: 21, status: "running", health: "healthy"}}, 21, "timed_out", ""},
		{"no report at all", base, nil, 20, "timed_out", "no report of the target image"},
		{"deferred is neither", deferring, []rep{{sec: 1, status: "deferred"}}, 50, "deferred", ""},
		{"deferred too long times out", deferring, []rep{{sec: 1, status: "deferred"}}, 61, "timed_out", "deferred the update for longer than the defer timeout of 1m0s"},
		{"the timeout restarts when the deferral ends", deferring, []rep{{sec: 1, status: "deferred"},
			{sec: 40, status: "created"}}, 59, "updating", ""},
		{"and runs out from there", deferring, []rep{{sec: 1, status: "deferred"},
			{sec: 40, status: "created"}}, 60, "timed_out", ""},
	}
	for _, tt := range tests {
		got, track := judgeSeries(tt.s, tt.reports, tt.end)
		if got != tt.want || !strings.Contains(track.Reason, tt.reason) {
			t.Errorf("%s: %s (%q); want %s (%q)", tt.name, got, track.Reason, tt.want, tt.reason)
		}
	}
}

func TestJudgementKeepsEvidence(t *testing.T) {
	s := rollout.State{Timeout: 20 * time.Second, Bake: 5 * time.Second}
	status, track := judgeSeries(s, []rep{{sec: 1, status: "running", health: "healthy", msg: "listening on :8080"},
		{sec: 2.5, status: "exited", exit: ptr(2), msg: "panic: runtime error"}}, 3)
	if status != "failed" || track.Message != "panic: runtime error" || track.ExitCode == nil || *track.ExitCode != 2 {
		t.Errorf("%s, %+v: want failed with the last message and exit code", status, track)
	}
	if !track.HealthySince.Equal(at(time.Second)) || !track.RunningSince.Equal(at(time.Second)) || track.Attempt != 1 {
		t.Errorf("tracking %+v", track)
	}
}

func TestJudgementIgnoresOtherReports(t *testing.T) {
	s := rollout.State{Status: "in_progress", CurrentBatch: 1, TotalBatches: 1, Timeout: 20 * time.Second}
	healthy := func(image, digest string, sec float64) rollout.Device {
		return rollout.Device{UUID: "d1", Batch: 1, Status: "updating", Target: target, TargetDigest: "sha256:aa",
			UpdatedAt: at(10 * time.Second), Report: rollout.Report{Image: image, Digest: digest, Status: "running", ReportedAt: at(secs(sec))}}
	}
	for name, d := range map[string]rollout.Device{
		"other image":         healthy("docker.io/library/redis:7.4", "", 11),
		"other digest":        healthy(target, "sha256:bb", 11),
		"before the update":   healthy(target, "sha256:aa", 9),
		"from a former retry": {UUID: "d1", Batch: 1, Status: "updating", Target: target, Track: rollout.Tracking{Attempt: 2, StartedAt: at(12 * time.Second)}, Report: rollout.Report{Image: target, Status: "running", ReportedAt: at(11 * time.Second)}},
	} {
		p := rollout.Advance(s, []rollout.Device{d}, at(12*time.Second))
		for _, c := range p.Changes {
			if c.Status != "updating" {
				t.Errorf("%s: judged %s", name, c.Status)
			}
		}
	}
}
