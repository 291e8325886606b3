// Package window decides when a rollout may start devices: maintenance
// windows given as a 5-field cron expression, a duration and an IANA time
// zone (hawkBit's maintenance window), and a manual rollout's start_at and
// end_at. Everything is a pure function of the windows and the time passed
// in; zones come from the tzdata embedded in the binary, so a host without
// /usr/share/zoneinfo decides the same.
package window

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones without depending on the host's zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Limits on a policy's windows.
const (
	MaxWindows  = 32
	MaxDuration = 7 * 24 * time.Hour
)

// Window is one maintenance window as a policy stores it: it opens at each
// time Cron fires in Timezone (UTC when empty) and stays open for Duration
// of elapsed time, so on a night the clocks change a 01:00+2h window closes
// at 04:00 or 02:00 local time.
type Window struct {
	Cron     string `json:"cron"`
	Duration string `json:"duration"`
	Timezone string `json:"timezone,omitempty"`
}

// schedule is a parsed Window. spec runs on wall-clock time (in UTC, which
// has no daylight saving), loc turns wall-clock times into instants.
type schedule struct {
	spec *cron.SpecSchedule
	loc  *time.Location
	dur  time.Duration
}

// parser reads exactly the five classic fields, names of months and days
// included; descriptors such as @daily and a seconds field are refused.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// reference is a fixed time from which Validate checks that a cron
// expression fires at all (robfig/cron looks five years ahead, so 29 Feb
// is found and 30 Feb is not).
var reference = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Validate checks windows as a policy's maintenance_windows; each error is
// EINVALID naming the field, e.g. maintenance_windows[1].timezone.
func Validate(ws []Window) error {
	_, err := parse(ws)
	return err
}

func parse(ws []Window) ([]schedule, error) {
	if len(ws) > MaxWindows {
		return nil, airlock.FieldErrorf("maintenance_windows", "at most %d windows", MaxWindows)
	}
	out := make([]schedule, len(ws))
	for i, w := range ws {
		s, err := parseOne(w)
		if err != nil {
			err.Field = fmt.Sprintf("maintenance_windows[%d].%s", i, err.Field)
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func parseOne(w Window) (schedule, *airlock.Error) {
	loc, err := zone(w.Timezone)
	if err != nil {
		return schedule{}, err
	}
	spec, err := parseCron(w.Cron)
	if err != nil {
		return schedule{}, err
	}
	spec.Location = time.UTC
	dur, perr := time.ParseDuration(w.Duration)
	switch {
	case perr != nil:
		return schedule{}, airlock.FieldErrorf("duration", "%q is not a duration such as 2h or 90m", w.Duration)
	case dur < time.Minute || dur > MaxDuration:
		return schedule{}, airlock.FieldErrorf("duration", "must be between 1m and %s", MaxDuration)
	}
	return schedule{spec: spec, loc: loc, dur: dur}, nil
}

// zone loads an IANA zone. "Local" is refused: it would make the decision
// depend on the host.
func zone(name string) (*time.Location, *airlock.Error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, airlock.FieldErrorf("timezone", "name an IANA zone such as Europe/Berlin, not Local")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, airlock.FieldErrorf("timezone", "unknown time zone %q", name)
	}
	return loc, nil
}

func parseCron(expr string) (spec *cron.SpecSchedule, ferr *airlock.Error) {
	bad := func(why string) *airlock.Error {
		return airlock.FieldErrorf("cron", "%q: %s", expr, why)
	}
	expr = strings.TrimSpace(expr)
	if len(strings.Fields(expr)) != 5 || strings.Contains(expr, "TZ=") {
		return nil, bad("want 5 fields: minute hour day-of-month month day-of-week (the zone goes in timezone)")
	}
	defer func() { // the parser has panicked on odd ranges before; never let input crash a request
		if recover() != nil {
			spec, ferr = nil, bad("not a cron expression")
		}
	}()
	s, err := parser.Parse(expr)
	if err != nil {
		return nil, bad(err.Error())
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok || spec.Next(reference).IsZero() { // e.g. 30 Feb
		return nil, bad("never fires")
	}
	return spec, nil
}
