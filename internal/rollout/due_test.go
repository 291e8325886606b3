package rollout_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/rollout"
)

// TestNextDue runs random rollouts through Advance, reports arriving at
// random, and checks NextDue's promise after every step, once the step is
// stored: at any time before it, with no new report, Advance decides
// nothing — the monitor may skip the rollout until then. Only a step that
// judged devices and did nothing else may be due later than at once.
func TestNextDue(t *testing.T) {
	later := 0 // steps that judged devices and were due later: the case the promise is hardest to keep
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 7))
		s, devices := randomRollout(rng)
		now := at(0)
		for step := 0; step < 60 && !rollout.Terminal(s.Status); step++ {
			if rng.IntN(2) == 0 {
				report(rng, devices, now)
			}
			p := rollout.Advance(s, devices, now)
			if (!p.NextDue.IsZero() && p.NextDue.Before(now)) || (moved(p) && !p.NextDue.Equal(now)) {
				t.Fatalf("seed %d step %d: NextDue %v at %v, moved %v", seed, step, p.NextDue, now, moved(p))
			}
			if len(p.Changes) > 0 && !p.NextDue.Equal(now) {
				later++
			}
			simulate(&s, devices, p, now)
			checkQuiet(t, fmt.Sprintf("seed %d step %d", seed, step), rng, s, devices, now, p)
			now = next(rng, now, p.NextDue)
		}
	}
	if later < 100 {
		t.Fatalf("only %d judging steps were due later: the test no longer covers them", later)
	}
}

// checkQuiet checks that Advance on the stored step changes nothing before
// p.NextDue.
func checkQuiet(t *testing.T, name string, rng *rand.Rand, s rollout.State, devices []rollout.Device, now time.Time, p rollout.Progress) {
	t.Helper()
	end := p.NextDue
	if end.IsZero() {
		end = now.Add(24 * time.Hour)
	}
	times := []time.Time{now, end.Add(-time.Microsecond)} // now: a step judged again at once changes nothing
	for range 4 {
		times = append(times, now.Add(time.Duration(rng.Int64N(int64(end.Sub(now))+1))))
	}
	for _, at := range times {
		if !at.Before(end) || at.Before(now) {
			continue
		}
		q := rollout.Advance(s, devices, at)
		if changed(q) || !q.NextOpening.Equal(p.NextOpening) {
			t.Fatalf("%s: quiet at %v until %v, but at %v: %+v", name, now, p.NextDue, at, q)
		}
	}
}

func changed(p rollout.Progress) bool { return len(p.Changes) > 0 || moved(p) }

// moved reports whether a step did more than judge devices: it is due again at once.
func moved(p rollout.Progress) bool {
	return p.Action != rollout.ActionWait || len(p.Start) > 0 || p.BatchDone || p.NextBatch || !p.NextStart.IsZero()
}

func randomRollout(rng *rand.Rand) (rollout.State, []rollout.Device) {
	sec := func(max int) time.Duration { return time.Duration(rng.IntN(max+1)) * time.Second }
	s := rollout.State{Status: rollout.StatusInProgress, TotalBatches: 1 + rng.IntN(3), BatchDelay: sec(300),
		Timeout: 30*time.Second + sec(600), ThresholdPercent: 30 + rng.IntN(70), MinDevices: 1 + rng.IntN(5),
		AutoRollback: rng.IntN(2) == 0, HealthGrace: sec(120), Bake: sec(300), DeferTimeout: sec(900),
		MaxRetries: rng.IntN(3), RetryBackoff: sec(120), Canary: rng.IntN(3) == 0}
	if rng.IntN(3) == 0 {
		s.Rate.MaxPerMinute = 1 + rng.IntN(3)
	}
	if rng.IntN(4) == 0 {
		s.StartAt = at(sec(600))
	}
	if rng.IntN(4) == 0 {
		s.EndAt = at(sec(7200))
	}
	devices := make([]rollout.Device, 1+rng.IntN(12))
	for i := range devices {
		devices[i] = rollout.Device{UUID: fmt.Sprintf("d%02d", i), Batch: 1 + i%s.TotalBatches,
			Status: rollout.DevicePending, Target: "registry.example/app:2"}
	}
	return s, devices
}

// report gives a random device a report made at now.
func report(rng *rand.Rand, devices []rollout.Device, now time.Time) {
	d := &devices[rng.IntN(len(devices))]
	kinds := []rollout.Report{{Status: "running", Health: "healthy"}, {Status: "running", Health: "healthy"},
		{Status: "running"}, {Status: "running", Health: "unhealthy"}, {Status: "running", Health: "starting"},
		{Status: "deferred"}, {Status: "exited"}, {Status: "running", Health: "healthy", RestartCount: 1}}
	r := kinds[rng.IntN(len(kinds))]
	r.Image, r.ReportedAt = d.Target, now
	if rng.IntN(8) == 0 {
		r.Image = "registry.example/app:1"
	}
	d.Report = r
}

// simulate stores a step as the monitor's caller does.
func simulate(s *rollout.State, devices []rollout.Device, p rollout.Progress, now time.Time) {
	byUUID := map[string]*rollout.Device{}
	for i := range devices {
		byUUID[devices[i].UUID] = &devices[i]
	}
	for _, c := range append(p.Changes, p.Start...) {
		d := byUUID[c.UUID]
		d.Status, d.Track = c.Status, c.Track
	}
	if p.BatchDone {
		s.BatchDoneAt = now
	}
	if p.NextBatch {
		s.CurrentBatch, s.BatchDoneAt = s.CurrentBatch+1, time.Time{}
	}
	switch p.Action {
	case rollout.ActionWait:
	case rollout.ActionHold:
		s.Status = rollout.StatusWaitingForWindow
	case rollout.ActionRelease:
		s.Status = rollout.StatusInProgress
	default:
		s.Status = rollout.StatusCompleted
	}
}

// next is the next tick's time: the due time, or a random while on.
func next(rng *rand.Rand, now, due time.Time) time.Time {
	if !due.IsZero() && due.After(now) && rng.IntN(2) == 0 {
		return due
	}
	return now.Add(time.Duration(rng.IntN(180)) * time.Second)
}
