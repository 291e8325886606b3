package rollout

import "time"

// due is when the rollout next needs a step with no new report: the
// earliest deadline after now of a device in flight (its health timeout,
// the silence after its bake, its defer timeout, a retry's not-before
// time, which also enters the rate's minute), the end of the batch delay
// and the next window opening, all as the caller stores the step. A step
// that started devices, moved a batch or the rollout, or holds devices
// back by the rate, is due again at once: the state it wrote is judged
// afresh, and the rate frees a device within a minute. A step that only
// judged devices is not: judging a device again at the same time leaves
// it as it is, so gate and schedule would decide as they just did.
func (p *Progress) due(s State, devices []Device, now time.Time) time.Time {
	if !p.NextStart.IsZero() || p.Action != ActionWait || len(p.Start) > 0 || p.BatchDone || p.NextBatch {
		return now
	}
	judged := make(map[string]Change, len(p.Changes))
	for _, c := range p.Changes {
		judged[c.UUID] = c
	}
	var next time.Time
	earliest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, d := range devices {
		if c, ok := judged[d.UUID]; ok {
			d.Status, d.Track = c.Status, c.Track
		}
		if inFlight(d.Status) {
			for _, t := range deadlines(s, d.Track.normalised(d)) {
				earliest(t)
			}
		}
	}
	if s.CurrentBatch > 0 && s.CurrentBatch < s.TotalBatches && !s.BatchDoneAt.IsZero() {
		earliest(s.BatchDoneAt.Add(s.BatchDelay))
	}
	earliest(p.NextOpening)
	return next
}

// deadlines are the times at which judgeAttempt's verdict on an attempt
// with tracking t may change without a new report. Some do not apply to
// the attempt's state (a baking device's health timeout): a step too many
// is harmless, one too few is not.
func deadlines(s State, t Tracking) []time.Time {
	out := []time.Time{t.StartedAt, t.ClockFrom.Add(s.Timeout)}
	if !t.HealthySince.IsZero() {
		out = append(out, t.HealthySince.Add(s.Bake).Add(s.Timeout))
	}
	if !t.DeferredSince.IsZero() {
		out = append(out, t.DeferredSince.Add(orTimeout(s.DeferTimeout, s)))
	}
	return out
}
