package rollout

import (
	"strings"
	"time"
)

// Report is a device's latest report of the app being rolled out; the zero
// value means none.
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

// Exceeded reports whether failures stop a rollout: at least minDevices
// devices were judged (succeeded, failed or timed out), at least one
// failed, and failed/judged ≥ thresholdPercent/100 — reaching the threshold
// stops, as DESIGN §5 says. failed counts timed-out devices too.
func Exceeded(failed, judged, thresholdPercent, minDevices int) bool {
	return failed > 0 && judged >= minDevices && failed*100 >= thresholdPercent*judged
}
