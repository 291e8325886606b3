package rollout_test

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
)

func TestAllowance(t *testing.T) {
	ramp := rollout.Ramp{BasePerMinute: 10, Factor: 2, EverySucceeded: 50}
	now := at(time.Hour)
	ago := func(s ...int) []time.Time {
		var out []time.Time
		for _, x := range s {
			out = append(out, now.Add(-time.Duration(x)*time.Second))
		}
		return out
	}
	tests := []struct {
		name      string
		rate      rollout.Rate
		started   []time.Time
		succeeded int
		n         int
		next      time.Time
	}{
		{"no limit", rollout.Rate{}, ago(1, 2, 3), 0, math.MaxInt, time.Time{}},
		{"cap, room left", rollout.Rate{MaxPerMinute: 3}, ago(10, 70), 0, 2, time.Time{}},
		{"cap reached", rollout.Rate{MaxPerMinute: 2}, ago(10, 30, 90), 0, 0, now.Add(30 * time.Second)},
		{"over the cap: wait for enough to age", rollout.Rate{MaxPerMinute: 2}, ago(5, 10, 20, 40), 0, 0, now.Add(50 * time.Second)},
		{"a start exactly a minute ago no longer counts", rollout.Rate{MaxPerMinute: 1}, ago(60), 0, 1, time.Time{}},
		{"a future start (a retry's not-before) does not count", rollout.Rate{MaxPerMinute: 1}, ago(-30), 0, 1, time.Time{}},
		{"ramp base", rollout.Rate{Ramp: ramp}, nil, 49, 10, time.Time{}},
		{"ramp doubles every 50 succeeded", rollout.Rate{Ramp: ramp}, ago(1, 2), 100, 38, time.Time{}},
		{"ramp capped", rollout.Rate{MaxPerMinute: 25, Ramp: ramp}, nil, 500, 25, time.Time{}},
	}
	for _, tt := range tests {
		n, next := rollout.Allowance(tt.rate, tt.started, tt.succeeded, now)
		if n != tt.n || !next.Equal(tt.next) {
			t.Errorf("%s: %d, %v; want %d, %v", tt.name, n, next, tt.n, tt.next)
		}
	}
}

func TestRateValidate(t *testing.T) {
	tests := []struct {
		rate  rollout.Rate
		field string
	}{
		{rollout.Rate{}, ""},
		{rollout.Rate{MaxPerMinute: 100, Ramp: rollout.Ramp{BasePerMinute: 10, Factor: 2, EverySucceeded: 50}}, ""},
		{rollout.Rate{MaxPerMinute: -1}, "max_devices_per_minute"},
		{rollout.Rate{MaxPerMinute: 1001}, "max_devices_per_minute"},
		{rollout.Rate{Ramp: rollout.Ramp{Factor: 2, EverySucceeded: 5}}, "ramp.base_per_minute"},
		{rollout.Rate{Ramp: rollout.Ramp{BasePerMinute: 1, Factor: 1, EverySucceeded: 5}}, "ramp.factor"},
		{rollout.Rate{Ramp: rollout.Ramp{BasePerMinute: 1, Factor: math.NaN(), EverySucceeded: 5}}, "ramp.factor"},
		{rollout.Rate{Ramp: rollout.Ramp{BasePerMinute: 1, Factor: 6, EverySucceeded: 5}}, "ramp.factor"},
		{rollout.Rate{Ramp: rollout.Ramp{BasePerMinute: 1, Factor: 2}}, "ramp.every_succeeded"},
	}
	for _, tt := range tests {
		err := tt.rate.Validate()
		var field string
		if e, ok := err.(*airlock.Error); ok {
			field = e.Field
		}
		if field != tt.field || (err == nil) != (tt.field == "") {
			t.Errorf("%+v: %v; want a fault in %q", tt.rate, err, tt.field)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{0, 1, 30 * time.Second},
		{10 * time.Second, 1, 10 * time.Second},
		{10 * time.Second, 3, 40 * time.Second},
		{10 * time.Second, 100, time.Hour},
		{2 * time.Hour, 1, time.Hour},
	}
	for _, tt := range tests {
		if got := rollout.Backoff(tt.base, tt.attempt); got != tt.want {
			t.Errorf("Backoff(%s, %d) = %s; want %s", tt.base, tt.attempt, got, tt.want)
		}
	}
}

func TestSettle(t *testing.T) {
	evidence := rollout.Tracking{Attempt: 1, StartedAt: t0, ClockFrom: t0, Message: "pulling", ExitCode: ptr(3)}
	devs := []rollout.Device{
		{UUID: "p", Status: "pending"},
		{UUID: "u", Status: "updating", Track: evidence},
		{UUID: "b", Status: "baking", Track: evidence},
		{UUID: "df", Status: "deferred", Track: evidence},
		{UUID: "s", Status: "succeeded"},
		{UUID: "f", Status: "failed", Track: evidence},
		{UUID: "k", Status: "skipped"},
	}
	got := rollout.Settle("superseded", devs)
	want := map[string]string{"p": "skipped", "u": "cancelled", "b": "cancelled", "df": "cancelled"}
	if len(got) != len(want) {
		t.Fatalf("settled %+v", got)
	}
	for _, c := range got {
		if want[c.UUID] != c.Status || !strings.Contains(c.Track.Reason, "superseded") {
			t.Errorf("%s: %s (%q)", c.UUID, c.Status, c.Track.Reason)
		}
		if c.UUID != "p" && (c.Track.Message != "pulling" || *c.Track.ExitCode != 3) {
			t.Errorf("%s lost its evidence: %+v", c.UUID, c.Track)
		}
	}
	for _, status := range []string{"cancelled", "failed", "rolled_back"} {
		if n := len(rollout.Settle(status, devs)); n != 4 {
			t.Errorf("%s settled %d", status, n)
		}
	}
	for _, status := range []string{"completed", "in_progress"} {
		if got := rollout.Settle(status, devs); got != nil || rollout.Settles(status) {
			t.Errorf("%s settled %+v", status, got)
		}
	}
}

func TestBatchStatus(t *testing.T) {
	tests := []struct {
		batch   int
		status  string
		current int
		done    bool
		want    string
	}{
		{1, "pending", 0, false, "pending"},
		{1, "in_progress", 2, false, "done"},
		{2, "in_progress", 2, false, "running"},
		{2, "paused", 2, true, "done"},
		{3, "in_progress", 2, false, "pending"},
		{2, "cancelled", 2, false, "stopped"},
		{3, "cancelled", 2, false, "skipped"},
		{1, "rolled_back", 0, false, "skipped"},
		{2, "completed", 2, true, "done"},
	}
	for _, tt := range tests {
		if got := rollout.BatchStatus(tt.batch, tt.status, tt.current, tt.done); got != tt.want {
			t.Errorf("BatchStatus(%d, %s, %d, %v) = %s; want %s", tt.batch, tt.status, tt.current, tt.done, got, tt.want)
		}
	}
}

func TestJoinBatch(t *testing.T) {
	tests := []struct {
		status  string
		total   int
		include bool
		batch   int
		ok      bool
	}{
		{"in_progress", 4, true, 4, true},
		{"waiting_for_window", 4, true, 4, true},
		{"pending", 0, true, 1, true},
		{"in_progress", 4, false, 0, false},
		{"completed", 4, true, 0, false},
	}
	for _, tt := range tests {
		b, ok := rollout.JoinBatch(tt.status, tt.total, tt.include)
		if b != tt.batch || ok != tt.ok {
			t.Errorf("JoinBatch(%s, %d, %v) = %d, %v", tt.status, tt.total, tt.include, b, ok)
		}
	}
}

func TestPollAfter(t *testing.T) {
	tests := []struct {
		idle, active time.Duration
		inBatch      bool
		jitter       float64
		want         int
	}{
		{0, 0, false, 0.5, 300},
		{0, 0, true, 0.5, 15},
		{0, 0, false, 0, 240},
		{0, 0, false, 0.999999, 359},
		{time.Minute, 10 * time.Second, true, 1, 12},
		{5 * time.Second, time.Minute, true, 0.5, 5}, // active is never slower than idle
		{time.Second, time.Second, false, 0, 1},
		{time.Minute, 0, false, -3, 48}, // jitter out of range is clamped
	}
	for _, tt := range tests {
		if got := rollout.PollAfter(tt.idle, tt.active, tt.inBatch, tt.jitter); got != tt.want {
			t.Errorf("PollAfter(%s, %s, %v, %v) = %d; want %d", tt.idle, tt.active, tt.inBatch, tt.jitter, got, tt.want)
		}
	}
}

func TestCheckReport(t *testing.T) {
	got, err := rollout.CheckReport(rollout.Report{Status: " Running ", Health: "Starting", Message: strings.Repeat("é", 600)})
	if err != nil || got.Status != "running" || got.Health != "starting" {
		t.Fatalf("%+v, %v", got, err)
	}
	if len(got.Message) > rollout.MaxMessage || !strings.HasSuffix(got.Message, "…") || !utf8.ValidString(got.Message) {
		t.Errorf("message of %d bytes: %q…", len(got.Message), got.Message[:10])
	}
	for field, r := range map[string]rollout.Report{
		"health":        {Status: "running", Health: "sick"},
		"status":        {Status: strings.Repeat("x", 65)},
		"restart_count": {Status: "running", RestartCount: -1},
	} {
		_, err := rollout.CheckReport(r)
		if e, ok := err.(*airlock.Error); !ok || e.Field != field || e.Code != airlock.EINVALID {
			t.Errorf("%s: %v", field, err)
		}
	}
	if diff := cmp.Diff("short", rollout.TruncateMessage("short")); diff != "" {
		t.Error(diff)
	}
}

func FuzzTruncateMessage(f *testing.F) {
	f.Add("hello")
	f.Add(strings.Repeat("€", 400))
	f.Add("\xff\xfe" + strings.Repeat("a", 2000))
	f.Fuzz(func(t *testing.T, s string) {
		got := rollout.TruncateMessage(s)
		if len(got) > rollout.MaxMessage || !utf8.ValidString(got) {
			t.Fatalf("%d bytes, valid %v", len(got), utf8.ValidString(got))
		}
		if utf8.ValidString(s) && len(s) <= rollout.MaxMessage && got != s {
			t.Fatalf("changed a short message")
		}
	})
}

func TestTrackingEqual(t *testing.T) {
	a := rollout.Tracking{Attempt: 1, StartedAt: t0.Add(123456789), ExitCode: ptr(1), Message: "m"}
	b := a
	b.StartedAt, b.ExitCode = t0.Add(123456000).In(time.FixedZone("x", 3600)), ptr(1) // as a database gives it back
	if !a.Equal(b) {
		t.Fatalf("%+v != %+v", a, b)
	}
	for _, change := range []func(*rollout.Tracking){
		func(x *rollout.Tracking) { x.StartedAt = x.StartedAt.Add(time.Microsecond) },
		func(x *rollout.Tracking) { x.ExitCode = ptr(2) },
		func(x *rollout.Tracking) { x.ExitCode = nil },
		func(x *rollout.Tracking) { x.Reason = "r" },
		func(x *rollout.Tracking) { x.LastReportAt = t0 },
	} {
		c := b
		change(&c)
		if a.Equal(c) {
			t.Errorf("%+v equals %+v", a, c)
		}
	}
}
