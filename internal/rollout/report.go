package rollout

import (
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Health of an app, as Docker's health check reports it; none when the app
// has no health check.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthNone      = "none"
)

// App statuses the judgement gives a meaning to; any other (created,
// restarting, pulling, …) is a device still on its way.
const (
	AppRunning  = "running"
	AppDeferred = "deferred"
)

// MaxMessage is the most of an app's message kept, in bytes.
const MaxMessage = 1024

// health returns r's health: Health if given, else what the older boolean
// Healthy says (an agent that sends healthy:false for a container still
// starting is then judged unhealthy, with the health grace).
func (r Report) health() string {
	switch {
	case r.Health != "":
		return strings.ToLower(r.Health)
	case r.Healthy == nil:
		return HealthNone
	case *r.Healthy:
		return HealthHealthy
	}
	return HealthUnhealthy
}

// CheckReport validates one app's report as a device sends it and returns
// it ready to store: status and health lower-cased, the message cut to
// MaxMessage bytes (on a rune boundary, marked with "…"). A long message is
// cut, not refused: refusing would lose the status that came with it.
// Errors are EINVALID naming the field within the app.
func CheckReport(r Report) (Report, error) {
	r.Status = strings.ToLower(strings.TrimSpace(r.Status))
	r.Health = strings.ToLower(strings.TrimSpace(r.Health))
	switch r.Health {
	case "", HealthStarting, HealthHealthy, HealthUnhealthy, HealthNone:
	default:
		return r, airlock.FieldErrorf("health", "must be starting, healthy, unhealthy or none")
	}
	if len(r.Status) > 64 {
		return r, airlock.FieldErrorf("status", "must be at most 64 characters")
	}
	if r.RestartCount < 0 {
		return r, airlock.FieldErrorf("restart_count", "must not be negative")
	}
	r.Message = TruncateMessage(r.Message)
	return r, nil
}

// TruncateMessage cuts s to at most MaxMessage bytes of valid UTF-8,
// ending with "…" when it cut.
func TruncateMessage(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxMessage {
		return s
	}
	const ellipsis = "…"
	cut := MaxMessage - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
