package rollout_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/window"
)

// rig is a rollout driven through Advance the way the monitor applies each
// Progress: it stores Changes and Starts, bumps batches and follows the
// rollout's Action through Transition.
type rig struct {
	t       *testing.T
	now     time.Time
	state   rollout.State
	devices []rollout.Device
	actions []string
	failed  []rollout.Change // every Progress.Failed, as events would record them
	last    rollout.Progress
}

func newRig(t *testing.T, s rollout.State, plan [][]string) *rig {
	r := &rig{t: t, now: t0, state: s}
	for i, b := range plan {
		for _, uuid := range b {
			r.devices = append(r.devices, rollout.Device{UUID: uuid, Batch: i + 1, Status: "pending", Target: target})
		}
	}
	r.state.Status, r.state.TotalBatches = "in_progress", len(plan)
	return r
}

func (r *rig) device(uuid string) *rollout.Device {
	for i := range r.devices {
		if r.devices[i].UUID == uuid {
			return &r.devices[i]
		}
	}
	r.t.Fatalf("no device %s", uuid)
	return nil
}

// report makes devices report status and health now.
func (r *rig) report(status, health string, uuids ...string) {
	for _, u := range uuids {
		d := r.device(u)
		d.Report = rollout.Report{Image: target, Status: status, Health: health, ReportedAt: r.now,
			RestartCount: d.Report.RestartCount, Message: fmt.Sprintf("%s is %s", u, status)}
	}
}

func (r *rig) tick(d time.Duration) rollout.Progress {
	r.now = r.now.Add(d)
	p := rollout.Advance(r.state, r.devices, r.now)
	for _, c := range append(append([]rollout.Change(nil), p.Changes...), p.Start...) {
		dev := r.device(c.UUID)
		dev.Status, dev.Track = c.Status, c.Track
	}
	r.failed = append(r.failed, p.Failed...)
	if p.BatchDone {
		r.state.BatchDoneAt = r.now
	}
	if p.NextBatch {
		r.state.CurrentBatch++
		r.state.BatchDoneAt = time.Time{}
	}
	if p.Action != rollout.ActionWait {
		to, err := rollout.Transition(r.state.Status, p.Action)
		if err != nil {
			r.t.Fatalf("Transition(%s, %s): %v", r.state.Status, p.Action, err)
		}
		r.state.Status = to
	}
	r.actions, r.last = append(r.actions, p.Action), p
	return p
}

// run ticks every second until the rollout ends or limit passes.
func (r *rig) run(limit time.Duration, each func(elapsed time.Duration)) {
	for end := r.now.Add(limit); r.now.Before(end) && !rollout.Terminal(r.state.Status); {
		r.tick(time.Second)
		each(r.now.Sub(t0))
	}
}

func (r *rig) statuses() map[string]string {
	m := map[string]string{}
	for _, d := range r.devices {
		m[d.UUID] = d.Status
	}
	return m
}

func (r *rig) want(status string) {
	r.t.Helper()
	if r.state.Status != status {
		r.t.Fatalf("rollout %s; want %s (actions %v, devices %v)", r.state.Status, status, r.actions, r.statuses())
	}
}

var fourInOne = [][]string{{"d1", "d2", "d3", "d4"}}

// Acceptance: containers that report running with health starting for 3 s
// inside a 20 s timeout complete the rollout.
func TestAdvanceStartingThenHealthyCompletes(t *testing.T) {
	r := newRig(t, rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 20, MinDevices: 1, AutoRollback: true}, fourInOne)
	r.run(time.Minute, func(e time.Duration) {
		switch {
		case e >= 2*time.Second && e < 5*time.Second:
			r.report("running", "starting", "d1", "d2", "d3", "d4")
		case e >= 5*time.Second:
			r.report("running", "healthy", "d1", "d2", "d3", "d4")
		}
	})
	r.want("completed")
	if len(r.failed) != 0 {
		t.Errorf("failures %v", r.failed)
	}
}

// Acceptance: devices that crash 1.5 s after turning healthy under a 5 s
// bake fail, and the rollout is rolled back with each failure's message.
func TestAdvanceCrashDuringBakeRollsBack(t *testing.T) {
	s := rollout.State{Timeout: 20 * time.Second, Bake: 5 * time.Second, ThresholdPercent: 50, MinDevices: 2, AutoRollback: true}
	r := newRig(t, s, fourInOne)
	r.run(time.Minute, func(e time.Duration) {
		switch {
		case e == 2*time.Second:
			r.report("running", "healthy", "d1", "d2", "d3", "d4")
		case e == 3*time.Second:
			if got := r.statuses()["d1"]; got != "baking" {
				t.Errorf("d1 %s while baking", got)
			}
		case e == 4*time.Second: // 1.5 s after turning healthy, between reports
			r.report("exited", "", "d1", "d2", "d3", "d4")
			for _, u := range []string{"d1", "d2", "d3", "d4"} {
				r.device(u).Report.ExitCode = ptr(139)
			}
		}
	})
	r.want("rolled_back")
	if len(r.failed) != 4 {
		t.Fatalf("%d failure events; want 4", len(r.failed))
	}
	for _, c := range r.failed {
		if c.Track.Message != c.UUID+" is exited" || *c.Track.ExitCode != 139 || !strings.Contains(c.Track.Reason, "bake") {
			t.Errorf("evidence of %s: %+v", c.UUID, c.Track)
		}
	}
	if !strings.Contains(r.last.Reason, "4 of 4 judged devices failed") {
		t.Errorf("reason %q", r.last.Reason)
	}
}

// Acceptance: 1 of 4 devices failing under a 60% threshold completes with
// failures.
func TestAdvanceCompletesWithFailures(t *testing.T) {
	r := newRig(t, rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 60, MinDevices: 4, AutoRollback: true}, fourInOne)
	r.run(time.Minute, func(e time.Duration) {
		if e == 2*time.Second {
			r.report("running", "healthy", "d1", "d2", "d3")
			r.report("failed", "", "d4")
		}
	})
	r.want("completed_with_failures")
	if len(r.failed) != 1 || r.failed[0].UUID != "d4" || r.failed[0].Track.Message != "d4 is failed" {
		t.Errorf("failures %+v", r.failed)
	}
}

// Acceptance: a closed maintenance window holds the rollout; opening it by
// editing the policy releases it.
func TestAdvanceWindowHoldsAndReleases(t *testing.T) {
	closed := []window.Window{{Cron: "0 2 * * *", Duration: "1h", Timezone: "Europe/Berlin"}} // t0 is 13:00 in Berlin
	s := rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 50, MinDevices: 1, Windows: closed}
	r := newRig(t, s, [][]string{{"d1"}, {"d2"}})
	p := r.tick(0)
	r.want("waiting_for_window")
	if p.NextBatch || len(p.Start) != 0 || !p.NextOpening.Equal(time.Date(2026, 1, 2, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("held progress %+v", p)
	}
	r.tick(time.Hour)
	r.want("waiting_for_window")

	r.state.Windows = []window.Window{{Cron: "0 14 * * *", Duration: "2h", Timezone: "Europe/Berlin"}} // open now
	p = r.tick(time.Second)
	r.want("in_progress")
	if p.Action != "release" || !p.NextBatch || len(p.Start) != 1 || p.Start[0].UUID != "d1" {
		t.Fatalf("released progress %+v", p)
	}
	r.report("running", "healthy", "d1")
	r.state.Windows = closed // closed again before batch 2: d1 is judged, d2 waits
	r.tick(time.Second)
	r.want("waiting_for_window")
	if got := r.statuses(); got["d1"] != "succeeded" || got["d2"] != "pending" {
		t.Errorf("devices %v", got)
	}
}

// The canary batch gates on its own: its one failure stops a rollout whose
// MinDevices it could never reach.
func TestAdvanceCanaryGates(t *testing.T) {
	s := rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 50, MinDevices: 3, AutoRollback: true, Canary: true}
	r := newRig(t, s, rollout.Plan(devices(5), rollout.Canary, 2, 0, 1))
	r.tick(0)
	r.report("failed", "", "d1")
	r.tick(time.Second)
	r.want("rolled_back")
	if !strings.Contains(r.last.Reason, "1 of 1 judged canary devices") {
		t.Errorf("reason %q", r.last.Reason)
	}
	s.Canary = false // without the gate the same failure does not stop it: the bug
	r = newRig(t, s, rollout.Plan(devices(5), rollout.Canary, 2, 0, 1))
	r.tick(0)
	r.report("failed", "", "d1")
	r.tick(time.Second)
	r.want("in_progress")
}

func TestAdvanceRetries(t *testing.T) {
	s := rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 50, MinDevices: 1, MaxRetries: 2, RetryBackoff: 10 * time.Second}
	r := newRig(t, s, [][]string{{"d1"}})
	r.tick(0)
	r.report("failed", "", "d1")
	p := r.tick(time.Second)
	d := r.device("d1")
	if len(p.Failed) != 0 || len(p.Changes) != 1 || !p.Changes[0].Retry || d.Status != "updating" ||
		d.Track.Attempt != 2 || !d.Track.StartedAt.Equal(at(11*time.Second)) || !strings.Contains(d.Track.Reason, "attempt 1 failed") {
		t.Fatalf("after the first failure: %+v, device %+v", p, d)
	}
	r.tick(5 * time.Second) // the old report no longer counts
	if d.Status != "updating" {
		t.Fatalf("retry judged on the old report: %s", d.Status)
	}
	r.tick(30 * time.Second) // silent through attempt 2: it times out, and is retried after 20 s
	if d.Track.Attempt != 3 || !d.Track.StartedAt.Equal(at(56*time.Second)) || !strings.Contains(d.Track.Reason, "attempt 2 timed out") {
		t.Fatalf("after the second: %+v", d.Track)
	}
	r.tick(time.Minute) // the third failure counts
	r.want("failed")
	if len(r.failed) != 1 || r.failed[0].Status != "timed_out" {
		t.Errorf("failures %+v", r.failed)
	}
}

func TestAdvanceRate(t *testing.T) {
	s := rollout.State{Timeout: time.Hour, ThresholdPercent: 50, MinDevices: 1, Rate: rollout.Rate{MaxPerMinute: 2}}
	r := newRig(t, s, [][]string{devices(5)})
	p := r.tick(0)
	if len(p.Start) != 2 || !p.NextStart.Equal(at(time.Minute)) {
		t.Fatalf("first tick: %d started, next %v", len(p.Start), p.NextStart)
	}
	if p = r.tick(59 * time.Second); len(p.Start) != 0 {
		t.Fatalf("started %d within the minute", len(p.Start))
	}
	if p = r.tick(time.Second); len(p.Start) != 2 {
		t.Fatalf("started %d after the minute", len(p.Start))
	}
	if got := r.statuses(); got["d5"] != "pending" || got["d4"] != "updating" {
		t.Errorf("devices %v", got)
	}
}

// A device that joins the running last batch is started, and the rollout
// waits for it.
func TestAdvanceLateDevice(t *testing.T) {
	r := newRig(t, rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 50, MinDevices: 1}, [][]string{{"d1"}})
	r.tick(0)
	r.report("running", "healthy", "d1")
	batch, ok := rollout.JoinBatch(r.state.Status, r.state.TotalBatches, true)
	r.devices = append(r.devices, rollout.Device{UUID: "late", Batch: batch, Status: "pending", Target: target})
	p := r.tick(time.Second)
	if !ok || p.Action != "wait" || len(p.Start) != 1 || p.Start[0].UUID != "late" {
		t.Fatalf("progress %+v", p)
	}
	r.report("running", "healthy", "late")
	r.tick(time.Second)
	r.want("completed")
}

func TestAdvancePausedJudgesButStartsNothing(t *testing.T) {
	r := newRig(t, rollout.State{Timeout: 20 * time.Second, ThresholdPercent: 50, MinDevices: 1}, [][]string{{"d1"}, {"d2"}})
	r.tick(0)
	r.state.Status = "paused"
	r.report("running", "healthy", "d1")
	p := r.tick(time.Hour)
	if p.Action != "wait" || p.NextBatch || len(p.Start) != 0 || !p.BatchDone || r.statuses()["d1"] != "succeeded" {
		t.Errorf("paused progress %+v", p)
	}
}

func TestAdvanceIdleStatuses(t *testing.T) {
	dev := []rollout.Device{{UUID: "d1", Batch: 1, Status: "updating", Target: target, UpdatedAt: t0}}
	for _, status := range []string{"pending", "completed", "completed_with_failures", "failed", "rolled_back", "cancelled", "superseded"} {
		s := rollout.State{Status: status, CurrentBatch: 1, TotalBatches: 1, Timeout: time.Second}
		if diff := cmp.Diff(rollout.Progress{Action: "wait"}, rollout.Advance(s, dev, at(time.Hour))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", status, diff)
		}
	}
}

// FuzzAdvance checks Advance's invariants over arbitrary fleets: changes
// only for devices in flight, starts only of pending devices, nothing
// started or completed while paused, a stop rolls back exactly when
// AutoRollback is set, and every failure event is a failed or timed-out
// change.
func FuzzAdvance(f *testing.F) {
	f.Add(uint8(0), uint8(1), uint8(3), int64(60), uint8(20), uint8(1), uint8(1), []byte{1, 1, 2, 0, 3, 1})
	f.Add(uint8(1), uint8(2), uint8(2), int64(300), uint8(50), uint8(3), uint8(0), []byte{2, 4, 1, 5, 2, 6, 9, 9})
	f.Add(uint8(2), uint8(0), uint8(2), int64(7), uint8(60), uint8(2), uint8(2), []byte{0, 0, 1, 7, 2, 3})
	f.Fuzz(func(t *testing.T, st, current, total uint8, nowSec int64, pct, minDev, knobs uint8, fleet []byte) {
		statuses := []string{"pending", "updating", "baking", "deferred", "succeeded", "failed", "timed_out", "skipped"}
		reports := []string{"", "running", "failed", "deferred", "created"}
		healths := []string{"", "starting", "healthy", "unhealthy", "none"}
		s := rollout.State{Status: []string{"in_progress", "paused", "waiting_for_window"}[st%3], CurrentBatch: int(current % 5),
			TotalBatches: int(total % 5), Timeout: 20 * time.Second, ThresholdPercent: int(pct), MinDevices: int(minDev),
			AutoRollback: knobs&1 == 1, Canary: knobs&2 == 2, MaxRetries: int(knobs>>2) % 3, Bake: time.Duration(knobs%7) * time.Second,
			Rate: rollout.Rate{MaxPerMinute: int(knobs % 4)}}
		var devs []rollout.Device
		for i := 0; i+1 < len(fleet) && len(devs) < 40; i += 2 {
			b, r := fleet[i], fleet[i+1]
			devs = append(devs, rollout.Device{UUID: fmt.Sprint(i), Batch: int(b % 5), Status: statuses[int(b)%len(statuses)],
				Target: target, UpdatedAt: t0, Report: rollout.Report{Image: target, Status: reports[int(r)%len(reports)],
					Health: healths[int(r/5)%len(healths)], RestartCount: int(r / 128), ReportedAt: at(time.Duration(r%40) * time.Second)}})
		}
		p := rollout.Advance(s, devs, at(time.Duration(nowSec%120)*time.Second))
		was := map[string]string{}
		for _, d := range devs {
			was[d.UUID] = d.Status
		}
		for _, c := range p.Changes {
			if w := was[c.UUID]; w != "updating" && w != "baking" && w != "deferred" || c.Status == "pending" {
				t.Fatalf("change %s → %s", w, c.Status)
			}
		}
		for _, c := range p.Start {
			if was[c.UUID] != "pending" || c.Status != "updating" {
				t.Fatalf("started a %s device", was[c.UUID])
			}
		}
		for _, c := range p.Failed {
			if c.Status != "failed" && c.Status != "timed_out" {
				t.Fatalf("failure event for %s", c.Status)
			}
		}
		if s.Status == "paused" && (p.NextBatch || len(p.Start) > 0 || strings.HasPrefix(p.Action, "complete")) {
			t.Fatalf("paused rollout: %+v", p)
		}
		if (p.Action == "fail" && s.AutoRollback) || (p.Action == "rollback" && !s.AutoRollback) {
			t.Fatalf("%s with AutoRollback=%v", p.Action, s.AutoRollback)
		}
		if p.Action != "wait" {
			if _, err := rollout.Transition(s.Status, p.Action); err != nil {
				t.Fatalf("action %s from %s: %v", p.Action, s.Status, err)
			}
		}
	})
}
