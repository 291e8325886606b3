package rollout_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/airlock-iot/airlock/internal/rollout"
)

// fleet is a rollout and its devices as the service would hold them, driven
// tick by tick through Decide the way the service applies each Step.
type fleet struct {
	t       *testing.T
	now     time.Time
	state   rollout.State
	devices []rollout.Device
	actions []string
}

func newFleet(t *testing.T, n, batchSize int, s rollout.State) *fleet {
	f := &fleet{t: t, now: t0, state: s}
	for i, b := range rollout.Plan(devices(n), rollout.Staged, batchSize, 0, 0) {
		for _, uuid := range b {
			f.devices = append(f.devices, rollout.Device{UUID: uuid, Batch: i + 1, Status: "pending", Target: target})
		}
	}
	f.state.Status, f.state.TotalBatches = "in_progress", f.devices[len(f.devices)-1].Batch
	return f
}

// report makes device uuid report status at the current time.
func (f *fleet) report(uuid, status string) {
	for i := range f.devices {
		if f.devices[i].UUID == uuid {
			f.devices[i].Report = rollout.Report{Image: target, Status: status, ReportedAt: f.now}
		}
	}
}

// tick advances the clock by d and applies one Step.
func (f *fleet) tick(d time.Duration) rollout.Step {
	f.now = f.now.Add(d)
	step := rollout.Decide(f.state, f.devices, f.now)
	for i, dev := range f.devices {
		if v, ok := step.Verdicts[dev.UUID]; ok {
			f.devices[i].Status, f.devices[i].UpdatedAt = v, f.now
		}
	}
	if step.BatchDone {
		f.state.BatchDoneAt = f.now
	}
	switch step.Action {
	case rollout.ActionNextBatch:
		f.state.CurrentBatch++
		f.state.BatchDoneAt = time.Time{}
		for i, dev := range f.devices {
			if dev.Batch == f.state.CurrentBatch {
				f.devices[i].Status, f.devices[i].UpdatedAt = "updating", f.now
			}
		}
	case rollout.ActionComplete:
		f.state.Status = "completed"
	case rollout.ActionRollback:
		f.state.Status = "rolled_back"
	case rollout.ActionFail:
		f.state.Status = "failed"
	}
	f.actions = append(f.actions, step.Action)
	return step
}

func (f *fleet) statuses() map[string]string {
	m := make(map[string]string)
	for _, d := range f.devices {
		m[d.UUID] = d.Status
	}
	return m
}

func (f *fleet) wantActions(want ...string) {
	f.t.Helper()
	if diff := cmp.Diff(want, f.actions); diff != "" {
		f.t.Errorf("actions (-want +got):\n%s", diff)
	}
	f.actions = nil
}

var knobs = rollout.State{BatchDelay: 5 * time.Minute, Timeout: 2 * time.Minute, ThresholdPercent: 20, MinDevices: 1, AutoRollback: true}

func TestDecideStagedToCompletion(t *testing.T) {
	f := newFleet(t, 6, 2, knobs)
	f.tick(0) // started: batch 1 goes out at once
	f.wantActions("next_batch")
	f.tick(30 * time.Second)
	f.wantActions("wait")

	f.report("d1", "running")
	f.tick(0)
	f.report("d2", "running")
	if step := f.tick(0); !step.BatchDone {
		t.Error("batch 1 not reported done")
	}
	f.tick(4 * time.Minute) // delay not over
	f.tick(time.Minute)     // delay over
	f.wantActions("wait", "wait", "wait", "next_batch")

	f.report("d3", "running")
	f.report("d4", "running")
	f.tick(10 * time.Second)
	f.tick(5 * time.Minute)
	f.report("d5", "running")
	f.report("d6", "running")
	step := f.tick(10 * time.Second)
	if !step.BatchDone {
		t.Error("last batch not reported done")
	}
	f.wantActions("wait", "next_batch", "complete")
	if f.state.Status != "completed" {
		t.Errorf("status %q", f.state.Status)
	}
	for uuid, s := range f.statuses() {
		if s != "succeeded" {
			t.Errorf("%s is %s", uuid, s)
		}
	}
}

func TestDecideNoDelay(t *testing.T) {
	s := knobs
	s.BatchDelay = 0
	f := newFleet(t, 4, 2, s)
	f.tick(0)
	f.report("d1", "running")
	f.report("d2", "running")
	if step := f.tick(time.Second); !step.BatchDone || step.Action != "next_batch" {
		t.Errorf("step %+v: want batch done and the next batch in the same tick", step)
	}
}

func TestDecideFailuresRollBack(t *testing.T) {
	f := newFleet(t, 6, 2, knobs)
	f.tick(0)
	f.report("d1", "running")
	f.report("d2", "failed") // 50% ≥ 20%
	step := f.tick(time.Second)
	want := map[string]string{"d1": "succeeded", "d2": "failed"}
	if diff := cmp.Diff(want, step.Verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	f.wantActions("next_batch", "rollback")
}

func TestDecideFailuresFailWithoutAutoRollback(t *testing.T) {
	s := knobs
	s.AutoRollback = false
	f := newFleet(t, 6, 2, s)
	f.tick(0)
	f.report("d1", "exited")
	f.tick(time.Second)
	f.wantActions("next_batch", "fail")
}

func TestDecideBelowMinimumSampleContinues(t *testing.T) {
	s := knobs
	s.MinDevices, s.BatchDelay = 3, 0
	f := newFleet(t, 6, 2, s)
	f.tick(0)
	f.report("d1", "failed") // 1 judged < 3
	f.tick(time.Second)
	f.report("d2", "running") // 2 judged < 3: batch done, go on
	f.tick(time.Second)
	f.report("d3", "running") // 1/3 = 33% ≥ 20%
	f.tick(time.Second)
	f.wantActions("next_batch", "wait", "next_batch", "rollback")
}

func TestDecideMinimumCappedAtFleet(t *testing.T) {
	s := knobs
	s.MinDevices = 10
	f := newFleet(t, 2, 2, s)
	f.tick(0)
	f.report("d1", "running")
	f.report("d2", "failed")
	f.tick(time.Second)
	f.wantActions("next_batch", "rollback")
}

func TestDecideTimeouts(t *testing.T) {
	s := knobs
	s.ThresholdPercent = 50
	f := newFleet(t, 4, 2, s)
	f.tick(0)
	f.report("d1", "running")
	f.tick(time.Minute)
	step := f.tick(time.Minute) // d2 silent for the whole timeout
	if diff := cmp.Diff(map[string]string{"d2": "timed_out"}, step.Verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	f.wantActions("next_batch", "wait", "rollback") // 1 of 2 = 50%
}

func TestDecidePausedHolds(t *testing.T) {
	f := newFleet(t, 4, 2, knobs)
	f.tick(0)
	f.state.Status = "paused"
	f.report("d1", "running")
	f.report("d2", "running")
	step := f.tick(time.Second)
	if !step.BatchDone || len(step.Verdicts) != 2 {
		t.Errorf("paused rollout: step %+v, want both judged and the batch done", step)
	}
	f.tick(time.Hour)
	f.wantActions("next_batch", "wait", "wait")
	if got := f.statuses()["d3"]; got != "pending" {
		t.Errorf("d3 is %s while paused", got)
	}

	f.state.Status = "in_progress" // resumed: the delay has long passed
	f.tick(time.Second)
	f.wantActions("next_batch")
}

func TestDecidePausedStillStopsOnFailures(t *testing.T) {
	f := newFleet(t, 4, 2, knobs)
	f.tick(0)
	f.state.Status = "paused"
	f.report("d1", "failed")
	f.tick(time.Second)
	f.wantActions("next_batch", "rollback")
}

func TestDecidePausedLastBatchDoesNotComplete(t *testing.T) {
	f := newFleet(t, 2, 2, knobs)
	f.tick(0)
	f.state.Status = "paused"
	f.report("d1", "running")
	f.report("d2", "running")
	f.tick(time.Second)
	f.state.Status = "in_progress"
	f.tick(time.Second)
	f.wantActions("next_batch", "wait", "complete")
}

func TestDecideIdle(t *testing.T) {
	dev := []rollout.Device{{UUID: "d1", Batch: 1, Status: "updating", Target: target, UpdatedAt: t0}}
	for _, status := range []string{"pending", "completed", "failed", "rolled_back", "cancelled", "superseded"} {
		s := knobs
		s.Status, s.CurrentBatch, s.TotalBatches = status, 1, 1
		got := rollout.Decide(s, dev, t0.Add(time.Hour))
		if diff := cmp.Diff(rollout.Step{Action: "wait"}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", status, diff)
		}
	}
}

func TestDecideNoDevicesCompletes(t *testing.T) {
	s := knobs
	s.Status = "in_progress"
	got := rollout.Decide(s, nil, t0)
	if diff := cmp.Diff(rollout.Step{Action: "complete"}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecideSkippedDevices(t *testing.T) {
	s := knobs
	s.Status, s.CurrentBatch, s.TotalBatches, s.MinDevices = "in_progress", 1, 1, 5
	devs := []rollout.Device{
		{UUID: "d1", Batch: 1, Status: "skipped"},
		{UUID: "d2", Batch: 1, Status: "updating", Target: target, UpdatedAt: t0,
			Report: rollout.Report{Image: target, Status: "failed", ReportedAt: t0}},
	}
	// One eligible device: the minimum sample caps at 1 and its failure stops the rollout.
	if got := rollout.Decide(s, devs, t0); got.Action != "rollback" {
		t.Errorf("action %q, want rollback", got.Action)
	}
}

// FuzzDecide checks the monitor's invariants over arbitrary fleets: verdicts
// only for updating devices, a paused rollout never starts or completes,
// and a stop rolls back exactly when AutoRollback is set.
func FuzzDecide(f *testing.F) {
	f.Add(true, uint8(1), uint8(3), int64(0), int64(60), uint8(20), uint8(1), []byte{1, 1, 2, 0, 3, 1})
	f.Add(false, uint8(2), uint8(2), int64(300), int64(0), uint8(50), uint8(3), []byte{2, 4, 1, 5, 2, 6})
	f.Fuzz(func(t *testing.T, paused bool, current, total uint8, doneAt, nowSec int64, pct, minDev uint8, fleet []byte) {
		statuses := []string{"pending", "updating", "succeeded", "failed", "timed_out", "skipped"}
		reports := []string{"", "running", "failed", "starting"}
		s := rollout.State{Status: "in_progress", CurrentBatch: int(current), TotalBatches: int(total),
			BatchDelay: time.Minute, Timeout: 2 * time.Minute, ThresholdPercent: int(pct), MinDevices: int(minDev)}
		if paused {
			s.Status = "paused"
		}
		s.AutoRollback = pct%2 == 0
		if doneAt > 0 {
			s.BatchDoneAt = at(time.Duration(doneAt%3600) * time.Second)
		}
		var devs []rollout.Device
		for i := 0; i+1 < len(fleet) && len(devs) < 50; i += 2 {
			b, r := fleet[i], fleet[i+1]
			devs = append(devs, rollout.Device{UUID: fmt.Sprint(i), Batch: int(b % 4), Status: statuses[int(b)%len(statuses)],
				Target: target, UpdatedAt: t0, Report: rollout.Report{Image: target, Status: reports[int(r)%len(reports)], ReportedAt: at(time.Duration(r) * time.Second)}})
		}
		step := rollout.Decide(s, devs, at(time.Duration(nowSec%3600)*time.Second))
		for _, d := range devs {
			if v, ok := step.Verdicts[d.UUID]; ok && (d.Status != "updating" || v == "updating") {
				t.Fatalf("verdict %q for a %s device", v, d.Status)
			}
		}
		if paused && (step.Action == "next_batch" || step.Action == "complete") {
			t.Fatalf("paused rollout: %s", step.Action)
		}
		if (step.Action == "fail" && s.AutoRollback) || (step.Action == "rollback" && !s.AutoRollback) {
			t.Fatalf("%s with AutoRollback=%v", step.Action, s.AutoRollback)
		}
	})
}
