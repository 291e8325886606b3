package rollout

import (
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/window"
)

// tally counts the devices a failure threshold looks at.
type tally struct{ failed, judged, eligible int }

func (t *tally) add(status string) {
	switch status {
	case DeviceFailed, DeviceTimedOut:
		t.failed++
		t.judged++
	case DeviceSucceeded:
		t.judged++
	}
	if status != DeviceSkipped && status != DeviceCancelled {
		t.eligible++
	}
}

// gate returns why failures stop the rollout, or "". The whole rollout is
// judged as Decide does (the minimum sample capped at the devices not
// skipped). With a canary, batch 1 is also judged on its own with its own
// size as the minimum sample, so a canary smaller than MinDevices still
// gates: once all of it is judged, its failures alone can stop the rollout.
func gate(s State, devices []Device, after []string) string {
	var all, canary tally
	for i, d := range devices {
		all.add(after[i])
		if s.Canary && d.Batch == 1 {
			canary.add(after[i])
		}
	}
	const text = "%d of %d judged %sdevices failed or timed out, reaching the failure threshold of %d%%"
	if Exceeded(all.failed, all.judged, s.ThresholdPercent, min(s.MinDevices, all.eligible)) {
		return fmt.Sprintf(text, all.failed, all.judged, "", s.ThresholdPercent)
	}
	if s.Canary && canary.eligible > 0 && Exceeded(canary.failed, canary.judged, s.ThresholdPercent, canary.eligible) {
		return fmt.Sprintf(text, canary.failed, canary.judged, "canary ", s.ThresholdPercent)
	}
	return ""
}

// schedule decides the batches, the starts and the end of the rollout once
// the devices are judged. A batch is done when none of its devices is
// pending or in flight; the next begins BatchDelay later (at once for
// CurrentBatch 0); the last one done completes the rollout, with failures
// if any device failed or timed out.
func (p *Progress) schedule(s State, devices []Device, after []string, now time.Time) {
	batch, doneAt := s.CurrentBatch, s.BatchDoneAt
	done := batch == 0 || batchFinished(batch, devices, after)
	if batch > 0 && done && doneAt.IsZero() {
		doneAt, p.BatchDone = now, true
	}
	if s.Status == StatusPaused {
		return
	}
	if done && batch >= s.TotalBatches {
		p.Action = completion(after)
		return
	}
	if done && (batch == 0 || !now.Before(doneAt.Add(s.BatchDelay))) {
		p.NextBatch, batch = true, batch+1
	}
	due := pendingIn(batch, devices, after)
	if len(due) == 0 && s.Status != StatusWaitingForWindow && !p.NextBatch {
		return
	}
	open, next := window.Allowed(s.Windows, s.StartAt, s.EndAt, now)
	if !open {
		p.NextBatch, p.NextOpening, p.Reason = false, next, holdReason(next)
		if s.Status == StatusInProgress {
			p.Action = ActionHold
		}
		return
	}
	if s.Status == StatusWaitingForWindow {
		p.Action = ActionRelease
	}
	p.start(s, devices, after, due, now)
}

// start picks which of the due devices (indexes, in order) start now,
// within the rate.
func (p *Progress) start(s State, devices []Device, after []string, due []int, now time.Time) {
	var started []time.Time
	succeeded := 0
	for i, d := range devices {
		if after[i] != DevicePending && after[i] != DeviceSkipped {
			started = append(started, d.Track.normalised(d).StartedAt)
		}
		if after[i] == DeviceSucceeded {
			succeeded++
		}
	}
	if n, _ := Allowance(s.Rate, started, succeeded, now); n < len(due) {
		due = due[:n]
		for range n {
			started = append(started, now)
		}
		_, p.NextStart = Allowance(s.Rate, started, succeeded, now)
	}
	for _, i := range due {
		p.Start = append(p.Start, Change{UUID: devices[i].UUID, Status: DeviceUpdating,
			Track: Tracking{Attempt: 1, StartedAt: now, ClockFrom: now}})
	}
}

func batchFinished(batch int, devices []Device, after []string) bool {
	for i, d := range devices {
		if d.Batch == batch && (after[i] == DevicePending || inFlight(after[i])) {
			return false
		}
	}
	return true
}

func pendingIn(batch int, devices []Device, after []string) []int {
	var due []int
	for i, d := range devices {
		if d.Batch == batch && after[i] == DevicePending {
			due = append(due, i)
		}
	}
	return due
}

func completion(after []string) string {
	for _, s := range after {
		if s == DeviceFailed || s == DeviceTimedOut {
			return ActionCompleteWithFailures
		}
	}
	return ActionComplete
}

func holdReason(next time.Time) string {
	if next.IsZero() {
		return "no maintenance window opens before the rollout's end"
	}
	return "waiting for a maintenance window, next opening " + next.UTC().Format(time.RFC3339)
}
