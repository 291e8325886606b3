package rollout

import (
	"strings"
	"time"
)

// Tracking is what the monitor remembers of one device between ticks, for
// the attempt under way. Advance returns it updated; the caller stores it
// as given and passes it back on the next tick. The zero value is a device
// told to update at Device.UpdatedAt by code that did not track it.
type Tracking struct {
	Attempt       int       // 1 for the first try, one more per retry
	StartedAt     time.Time // when this attempt began (a retry: its not-before time)
	ClockFrom     time.Time // the health timeout runs from here: StartedAt, or when a deferral ended
	LastReportAt  time.Time // the newest report taken in, so each counts once
	RunningSince  time.Time // first report of the target running; the health grace runs from here
	HealthySince  time.Time // first report of an unbroken healthy run; the bake runs from here
	DeferredSince time.Time // first deferral of this attempt; the defer timeout runs from here
	Restarts      int       // restart_count at the first report of this attempt: the baseline

	// Evidence: the last message and exit code the device gave, and why it
	// got its verdict. They survive rollback, cancel and retries.
	Message  string
	ExitCode *int
	Reason   string
}

// Equal reports whether t and u say the same, so that the caller need not
// store an unchanged tracking: times are compared to the microsecond, as
// databases keep them, and the exit codes by value.
func (t Tracking) Equal(u Tracking) bool {
	times := func(x Tracking) [6]time.Time {
		return [6]time.Time{x.StartedAt, x.ClockFrom, x.LastReportAt, x.RunningSince, x.HealthySince, x.DeferredSince}
	}
	tt, ut := times(t), times(u)
	for i := range tt {
		if !tt[i].Truncate(time.Microsecond).Equal(ut[i].Truncate(time.Microsecond)) {
			return false
		}
	}
	codes := (t.ExitCode == nil) == (u.ExitCode == nil) && (t.ExitCode == nil || *t.ExitCode == *u.ExitCode)
	return codes && t.Attempt == u.Attempt && t.Restarts == u.Restarts && t.Message == u.Message && t.Reason == u.Reason
}

// normalised fills in what a zero Tracking leaves out.
func (t Tracking) normalised(d Device) Tracking {
	if t.Attempt == 0 {
		t.Attempt = 1
	}
	if t.StartedAt.IsZero() {
		t.StartedAt = d.UpdatedAt
	}
	if t.ClockFrom.IsZero() {
		t.ClockFrom = t.StartedAt
	}
	return t
}

// relevant returns d's report if it is of the target and made in this
// attempt; fresh says it is not older than the last one taken in. A report
// made at the same instant as that one is taken in again (observe is
// idempotent), as it may be a newer report stamped by a coarse clock.
func relevant(d Device, t Tracking) (r Report, ok, fresh bool) {
	r = d.Report
	if !Runs(d.Target, r) || r.ReportedAt.IsZero() || r.ReportedAt.Before(t.StartedAt) {
		return Report{}, false, false
	}
	if d.TargetDigest != "" && r.Digest != "" && r.Digest != d.TargetDigest {
		return Report{}, false, false
	}
	return r, true, t.LastReportAt.IsZero() || !r.ReportedAt.Before(t.LastReportAt)
}

// observe takes report r into t: the moments the device started running,
// turned healthy and deferred, and the evidence.
func observe(t Tracking, r Report) Tracking {
	if t.LastReportAt.IsZero() {
		t.Restarts = r.RestartCount
	}
	t.LastReportAt = r.ReportedAt
	if r.Message != "" {
		t.Message = r.Message
	}
	if r.ExitCode != nil {
		t.ExitCode = r.ExitCode
	}
	status := strings.ToLower(r.Status)
	if status == AppDeferred {
		if t.DeferredSince.IsZero() {
			t.DeferredSince = r.ReportedAt
		}
		return t
	}
	if !t.DeferredSince.IsZero() && t.ClockFrom.Before(t.DeferredSince) {
		t.ClockFrom = r.ReportedAt // the device let the update go ahead: its timeout starts now
	}
	if status != AppRunning {
		return t
	}
	if t.RunningSince.IsZero() {
		t.RunningSince = r.ReportedAt
	}
	if h := r.health(); (h == HealthHealthy || h == HealthNone) && t.HealthySince.IsZero() {
		t.HealthySince = r.ReportedAt
	}
	return t
}

// assess returns the status of an updating, baking or deferred device
// after now, and its tracking with the reason for a final verdict.
func assess(s State, d Device, now time.Time) (string, Tracking) {
	t := d.Track.normalised(d)
	r, ok, fresh := relevant(d, t)
	if fresh {
		t = observe(t, r)
	}
	if !ok {
		r = Report{}
	}
	status, reason := judgeAttempt(s, t, r, now)
	if reason != "" {
		t.Reason = reason
	}
	return status, t
}
