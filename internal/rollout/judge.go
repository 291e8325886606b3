package rollout

import (
	"strings"
	"time"
)

// Report is a device's latest report of the app being rolled out; the zero
// value means none. Judge and Decide read Image, Status, Healthy and
// ReportedAt; Advance reads all of it.
type Report struct {
	Image      string
	Status     string // running|failed|exited|deferred|…, as the device says
	Healthy    *bool  // nil when the device reports no health; Health, when set, wins
	ReportedAt time.Time

	Health       string // starting|healthy|unhealthy|none; empty: derived from Healthy
	Digest       string // the digest the device runs; empty when it does not say
	Message      string // the app's last words, at most MaxMessage bytes
	ExitCode     *int
	RestartCount int // restarts of the app's container, as the engine counts them
}

// Judge returns the status of a device told at updateStartedAt to run target:
//
//   - succeeded: it reports target with status running and healthy true,
//     or no health at all (running is then the only evidence there is);
//   - failed: it reports target with status failed, exited, crashed or
//     dead, or running with healthy false;
//   - timed_out: no such report made by updateStartedAt+timeout (inclusive);
//   - updating: otherwise.
//
// Only a report made within [updateStartedAt, updateStartedAt+timeout]
// decides, so the verdict depends on when the device spoke, not on when
// the monitor ticked. target and r.Image are compared as given: callers
// pass both normalised. Status is compared case-insensitively.
func Judge(target string, r Report, updateStartedAt, now time.Time, timeout time.Duration) string {
	deadline := updateStartedAt.Add(timeout)
	if Runs(target, r) && !r.ReportedAt.Before(updateStartedAt) && !r.ReportedAt.After(deadline) {
		if v := verdict(r); v != DeviceUpdating {
			return v
		}
	}
	if !now.Before(deadline) {
		return DeviceTimedOut
	}
	return DeviceUpdating
}

// Runs reports whether r is a report of target. A pinned target
// (repo:tag@sha256:…) is run by a report of that reference, or of repo:tag
// with the digest given apart; a device that does not say the digest does
// not run a pinned target. A tag-only target is run by its tag, whatever
// the digest.
func Runs(target string, r Report) bool {
	if r.Image == target {
		return true
	}
	base, digest, pinned := strings.Cut(target, "@")
	if pinned {
		return r.Digest == digest && r.Image == base
	}
	return strings.HasPrefix(r.Image, target+"@")
}

// verdict judges one report of the target image. Health is only judged of
// a running app: one still pulling or starting is not healthy yet, and
// agents say so (healthy false) without it being a failure.
func verdict(r Report) string {
	switch strings.ToLower(r.Status) {
	case "failed", "exited", "crashed", "dead":
		return DeviceFailed
	case "running":
		if r.Healthy != nil && !*r.Healthy {
			return DeviceFailed
		}
		return DeviceSucceeded
	default:
		return DeviceUpdating
	}
}

// Exceeded reports whether failures stop a rollout: at least minDevices
// devices were judged (succeeded, failed or timed out), at least one
// failed, and failed/judged ≥ thresholdPercent/100 — reaching the threshold
// stops, as DESIGN §5 says. failed counts timed-out devices too.
func Exceeded(failed, judged, thresholdPercent, minDevices int) bool {
	return failed > 0 && judged >= minDevices && failed*100 >= thresholdPercent*judged
}
