package window_test

import (
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/window"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func in(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func TestValidate(t *testing.T) {
	ok := window.Window{Cron: "0 2 * * *", Duration: "2h", Timezone: "Europe/Berlin"}
	tests := []struct {
		name  string
		ws    []window.Window
		field string // empty: valid
	}{
		{"none", nil, ""},
		{"berlin nightly", []window.Window{ok}, ""},
		{"utc by default", []window.Window{{Cron: "30 1 * * mon-fri", Duration: "90m"}}, ""},
		{"29 February", []window.Window{{Cron: "0 0 29 2 *", Duration: "1h"}}, ""},
		{"bad zone", []window.Window{ok, {Cron: "0 2 * * *", Duration: "2h", Timezone: "Mars/Olympus"}}, "maintenance_windows[1].timezone"},
		{"local zone", []window.Window{{Cron: "0 2 * * *", Duration: "2h", Timezone: "Local"}}, "maintenance_windows[0].timezone"},
		{"six fields", []window.Window{{Cron: "0 0 2 * * *", Duration: "2h"}}, "maintenance_windows[0].cron"},
		{"descriptor", []window.Window{{Cron: "@daily", Duration: "2h"}}, "maintenance_windows[0].cron"},
		{"zone in cron", []window.Window{{Cron: "CRON_TZ=UTC 0 2 * * *", Duration: "2h"}}, "maintenance_windows[0].cron"},
		{"out of range", []window.Window{{Cron: "0 25 * * *", Duration: "2h"}}, "maintenance_windows[0].cron"},
		{"never fires", []window.Window{{Cron: "0 0 30 2 *", Duration: "2h"}}, "maintenance_windows[0].cron"},
		{"no duration", []window.Window{{Cron: "0 2 * * *"}}, "maintenance_windows[0].duration"},
		{"bad duration", []window.Window{{Cron: "0 2 * * *", Duration: "2 hours"}}, "maintenance_windows[0].duration"},
		{"too short", []window.Window{{Cron: "0 2 * * *", Duration: "30s"}}, "maintenance_windows[0].duration"},
		{"too long", []window.Window{{Cron: "0 2 * * *", Duration: "169h"}}, "maintenance_windows[0].duration"},
		{"too many", make([]window.Window, window.MaxWindows+1), "maintenance_windows"},
	}
	for _, tt := range tests {
		err := window.Validate(tt.ws)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var e *airlock.Error
		if !asError(err, &e) || e.Code != airlock.EINVALID || e.Field != tt.field {
			t.Errorf("%s: got %v; want EINVALID on %s", tt.name, err, tt.field)
		}
	}
}

func asError(err error, e **airlock.Error) bool {
	x, ok := err.(*airlock.Error)
	*e = x
	return ok
}

func TestOpenAndNextOpening(t *testing.T) {
	nightly := []window.Window{{Cron: "0 2 * * *", Duration: "2h", Timezone: "Europe/Berlin"}}
	two := append([]window.Window{{Cron: "0 12 * * sat", Duration: "1h", Timezone: "UTC"}}, nightly...)
	tests := []struct {
		name string
		ws   []window.Window
		now  time.Time
		open bool
		next time.Time
	}{
		{"no windows", nil, in(berlin, 2025, 6, 4, 15, 0), true, in(berlin, 2025, 6, 4, 15, 0)},
		{"before", nightly, in(berlin, 2025, 6, 4, 1, 59), false, in(berlin, 2025, 6, 4, 2, 0)},
		{"at opening", nightly, in(berlin, 2025, 6, 4, 2, 0), true, in(berlin, 2025, 6, 4, 2, 0)},
		{"inside", nightly, in(berlin, 2025, 6, 4, 3, 59), true, in(berlin, 2025, 6, 4, 3, 59)},
		{"at closing", nightly, in(berlin, 2025, 6, 4, 4, 0), false, in(berlin, 2025, 6, 5, 2, 0)},
		{"afternoon", nightly, in(berlin, 2025, 6, 4, 15, 0), false, in(berlin, 2025, 6, 5, 2, 0)},
		{"the earlier of two", two, in(time.UTC, 2025, 6, 7, 11, 0), false, in(time.UTC, 2025, 6, 7, 12, 0)},
		{"the other of two", two, in(time.UTC, 2025, 6, 7, 12, 30), true, in(time.UTC, 2025, 6, 7, 12, 30)},
		{"invalid never opens", []window.Window{{Cron: "nope", Duration: "1h"}}, in(time.UTC, 2025, 6, 7, 12, 30), false, time.Time{}},
	}
	for _, tt := range tests {
		if got := window.Open(tt.ws, tt.now); got != tt.open {
			t.Errorf("%s: Open = %v", tt.name, got)
		}
		if got := window.NextOpening(tt.ws, tt.now); !got.Equal(tt.next) {
			t.Errorf("%s: NextOpening = %v; want %v", tt.name, got, tt.next)
		}
	}
}

// TestDaylightSaving: Europe/Berlin skips 02:00–03:00 on 30 March 2025 and
// repeats 02:00–03:00 on 26 October 2025.
func TestDaylightSaving(t *testing.T) {
	cet, cest := time.FixedZone("CET", 3600), time.FixedZone("CEST", 7200)
	tests := []struct {
		name, cron, dur string
		from            time.Time
		next            time.Time // the next opening after from
		openAt          []time.Time
		closedAt        []time.Time
	}{
		{name: "opening in the skipped hour happens at the jump", cron: "30 2 * * *", dur: "1h",
			from: in(cet, 2025, 3, 29, 12, 0), next: in(cest, 2025, 3, 30, 3, 0),
			openAt: []time.Time{in(cest, 2025, 3, 30, 3, 59)}, closedAt: []time.Time{in(cest, 2025, 3, 30, 4, 0)}},
		{name: "2h from 01:00 is elapsed time, ending 04:00 summer time", cron: "0 1 * * *", dur: "2h",
			from: in(cet, 2025, 3, 29, 12, 0), next: in(cet, 2025, 3, 30, 1, 0),
			openAt: []time.Time{in(cest, 2025, 3, 30, 3, 59)}, closedAt: []time.Time{in(cest, 2025, 3, 30, 4, 0)}},
		{name: "opening in the repeated hour happens once", cron: "30 2 * * *", dur: "30m",
			from: in(cest, 2025, 10, 25, 12, 0), next: in(cest, 2025, 10, 26, 2, 30),
			openAt:   []time.Time{in(cest, 2025, 10, 26, 2, 45)},
			closedAt: []time.Time{in(cet, 2025, 10, 26, 2, 0), in(cet, 2025, 10, 26, 2, 45)}},
		{name: "after the first occurrence, the next is tomorrow", cron: "30 2 * * *", dur: "30m",
			from: in(cet, 2025, 10, 26, 2, 10), next: in(cet, 2025, 10, 27, 2, 30)},
		{name: "a window across the fold lasts its elapsed duration", cron: "0 2 * * *", dur: "2h",
			from: in(cest, 2025, 10, 25, 12, 0), next: in(cest, 2025, 10, 26, 2, 0),
			openAt: []time.Time{in(cet, 2025, 10, 26, 2, 59)}, closedAt: []time.Time{in(cet, 2025, 10, 26, 3, 0)}},
	}
	for _, tt := range tests {
		ws := []window.Window{{Cron: tt.cron, Duration: tt.dur, Timezone: "Europe/Berlin"}}
		if got := window.NextOpening(ws, tt.from); !got.Equal(tt.next) {
			t.Errorf("%s: NextOpening = %v; want %v", tt.name, got, tt.next)
		}
		for _, at := range tt.openAt {
			if !window.Open(ws, at) {
				t.Errorf("%s: closed at %v", tt.name, at)
			}
		}
		for _, at := range tt.closedAt {
			if window.Open(ws, at) {
				t.Errorf("%s: open at %v", tt.name, at)
			}
		}
	}
}

func TestAllowed(t *testing.T) {
	nightly := []window.Window{{Cron: "0 2 * * *", Duration: "2h"}}
	day := func(d, h int) time.Time { return in(time.UTC, 2025, 6, d, h, 0) }
	var never time.Time
	tests := []struct {
		name                string
		ws                  []window.Window
		startAt, endAt, now time.Time
		open                bool
		next                time.Time
	}{
		{"nothing set", nil, never, never, day(4, 15), true, never},
		{"before start_at", nil, day(5, 9), never, day(4, 15), false, day(5, 9)},
		{"at start_at", nil, day(5, 9), never, day(5, 9), true, never},
		{"at end_at", nil, never, day(5, 9), day(5, 9), false, never},
		{"start_at then the window", nightly, day(5, 9), never, day(4, 15), false, day(6, 2)},
		{"window inside the span", nightly, day(4, 0), day(6, 0), day(5, 3), true, never},
		{"window closed, next opening after end_at", nightly, never, day(5, 1), day(4, 15), false, never},
		{"window closed, next opening before end_at", nightly, never, day(5, 3), day(4, 15), false, day(5, 2)},
	}
	for _, tt := range tests {
		open, next := window.Allowed(tt.ws, tt.startAt, tt.endAt, tt.now)
		if open != tt.open || !next.Equal(tt.next) {
			t.Errorf("%s: Allowed = %v, %v; want %v, %v", tt.name, open, next, tt.open, tt.next)
		}
	}
}

// FuzzWindow: any input validates or is refused naming a field, never
// panics, and a valid window is open at its next opening and closed just
// before it (unless already open).
func FuzzWindow(f *testing.F) {
	f.Add("0 2 * * *", "2h", "Europe/Berlin", int64(0))
	f.Add("*/15 0-6 1,15 jan-mar sun", "15m", "America/Sao_Paulo", int64(1e9))
	f.Add("30 2 * * *", "1h", "Australia/Lord_Howe", int64(1.7e9))
	f.Fuzz(func(t *testing.T, cron, dur, tz string, unix int64) {
		ws := []window.Window{{Cron: cron, Duration: dur, Timezone: tz}}
		if err := window.Validate(ws); err != nil {
			if airlock.ErrorCode(err) != airlock.EINVALID {
				t.Fatalf("Validate: %v", err)
			}
			return
		}
		now := time.Unix(unix%4e9, 0)
		next := window.NextOpening(ws, now)
		if next.IsZero() {
			return // a rare expression whose next opening is over five years away
		}
		if next.Before(now) || !window.Open(ws, next) {
			t.Fatalf("now %v: next opening %v is not open", now, next)
		}
		if next.After(now) && window.Open(ws, now) {
			t.Fatalf("open at %v, yet the next opening is %v", now, next)
		}
	})
}
