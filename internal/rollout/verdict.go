package rollout

import (
	"fmt"
	"strings"
	"time"
)

// judgeAttempt judges one attempt from its tracking t and the latest report
// r of it (zero when there is none), returning the device's status and, for
// a verdict, why:
//
//   - failed or exited (crashed, dead) always fails;
//   - a restart count above the attempt's first fails: an engine's restart
//     policy brings a crashed container back before the next report, which
//     then says running, so the count is the only trace of the crash;
//   - deferred is neither success nor failure until the defer timeout, and
//     the health timeout starts again when the deferral ends;
//   - once healthy (or running without a health check), the device bakes:
//     it succeeds with a healthy report Bake after it turned healthy, fails
//     on any other report meanwhile, and times out if it goes silent;
//   - starting is never a failure; unhealthy fails once reported
//     HealthGrace after the target started running;
//   - not healthy by ClockFrom+Timeout times out.
func judgeAttempt(s State, t Tracking, r Report, now time.Time) (string, string) {
	status := strings.ToLower(r.Status)
	switch {
	case r.ReportedAt.IsZero():
	case failedStatus(status):
		return DeviceFailed, fmt.Sprintf("reported status %q%s%s", r.Status, exitText(t.ExitCode), inBake(s, t, r))
	case r.RestartCount > t.Restarts:
		return DeviceFailed, fmt.Sprintf("restarted %d times while running the target (restart count %d → %d)%s",
			r.RestartCount-t.Restarts, t.Restarts, r.RestartCount, inBake(s, t, r))
	case status == AppDeferred:
		if limit := orTimeout(s.DeferTimeout, s); !now.Before(t.DeferredSince.Add(limit)) {
			return DeviceTimedOut, fmt.Sprintf("deferred the update for longer than the defer timeout of %s", limit)
		}
		return DeviceDeferred, ""
	}
	deadline := t.ClockFrom.Add(s.Timeout)
	if !t.HealthySince.IsZero() && !t.HealthySince.After(deadline) {
		return bake(s, t, r, now)
	}
	if !now.Before(deadline) {
		return DeviceTimedOut, timeoutReason(s, r)
	}
	if grace := orTimeout(s.HealthGrace, s); status == AppRunning && r.health() == HealthUnhealthy &&
		!r.ReportedAt.Before(t.RunningSince.Add(grace)) {
		return DeviceFailed, fmt.Sprintf("still unhealthy %s after it started running, beyond the health grace of %s",
			r.ReportedAt.Sub(t.RunningSince), grace)
	}
	return DeviceUpdating, ""
}

// bake judges a device that has been healthy since t.HealthySince.
func bake(s State, t Tracking, r Report, now time.Time) (string, string) {
	end := t.HealthySince.Add(s.Bake)
	if r.ReportedAt.IsZero() {
		return DeviceFailed, "turned healthy, then reported running another image within the bake time"
	}
	if !healthy(r) {
		return DeviceFailed, fmt.Sprintf("reported %s %s after turning healthy, within the bake time of %s",
			describe(r), r.ReportedAt.Sub(t.HealthySince), s.Bake)
	}
	if !r.ReportedAt.Before(end) {
		return DeviceSucceeded, ""
	}
	if silence := end.Add(s.Timeout); !now.Before(silence) {
		return DeviceTimedOut, fmt.Sprintf("healthy at %s, then no report for the rest of the bake time of %s",
			t.HealthySince.UTC().Format(time.RFC3339), s.Bake)
	}
	return DeviceBaking, ""
}

// inBake says, for a failure, that it came during the bake.
func inBake(s State, t Tracking, r Report) string {
	if t.HealthySince.IsZero() || s.Bake == 0 {
		return ""
	}
	return fmt.Sprintf(" %s after turning healthy, within the bake time of %s", r.ReportedAt.Sub(t.HealthySince), s.Bake)
}

func healthy(r Report) bool {
	h := r.health()
	return strings.EqualFold(r.Status, AppRunning) && (h == HealthHealthy || h == HealthNone)
}

func failedStatus(status string) bool {
	switch status {
	case "failed", "exited", "crashed", "dead":
		return true
	}
	return false
}

func orTimeout(d time.Duration, s State) time.Duration {
	if d > 0 {
		return d
	}
	return s.Timeout
}

func timeoutReason(s State, r Report) string {
	if r.ReportedAt.IsZero() {
		return fmt.Sprintf("no report of the target image running and healthy within %s", s.Timeout)
	}
	return fmt.Sprintf("not running and healthy within %s: last reported %s", s.Timeout, describe(r))
}

// describe renders a report for a reason: status "running", health "unhealthy".
func describe(r Report) string {
	d := fmt.Sprintf("status %q", r.Status)
	if h := r.health(); h != HealthNone {
		d += fmt.Sprintf(", health %q", h)
	}
	return d
}

func exitText(code *int) string {
	if code == nil {
		return ""
	}
	return fmt.Sprintf(", exit code %d", *code)
}
