package rollout

import "time"

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

// Exceeded reports whether failures stop a rollout: at least minDevices
// devices were judged (succeeded, failed or timed out), at least one
// failed, and failed/judged ≥ thresholdPercent/100 — reaching the threshold
// stops, as DESIGN §5 says. failed counts timed-out devices too.
func Exceeded(failed, judged, thresholdPercent, minDevices int) bool {
	return failed > 0 && judged >= minDevices && failed*100 >= thresholdPercent*judged
}
