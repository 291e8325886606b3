package window

import "time"

// Open reports whether now is inside one of ws: some opening t has
// t ≤ now < t+duration. No windows means always open. A window that does
// not validate never opens (policies are validated when saved, so this is
// only a stored window the tzdata no longer knows): updating outside the
// windows an admin meant is the worse mistake.
func Open(ws []Window, now time.Time) bool {
	if len(ws) == 0 {
		return true
	}
	for _, s := range valid(ws) {
		if s.open(now) {
			return true
		}
	}
	return false
}

// NextOpening returns now when a window is open, else the earliest time
// after now at which one opens; the zero time when none ever will.
func NextOpening(ws []Window, now time.Time) time.Time {
	if Open(ws, now) {
		return now
	}
	var next time.Time
	for _, s := range valid(ws) {
		if t := s.next(now); !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// Allowed combines the windows with a manual rollout's start_at and end_at
// (either zero for none): it says whether devices may be started now and,
// when not, the next time they may (zero: never again, as end_at has
// passed or no window opens before it).
func Allowed(ws []Window, startAt, endAt, now time.Time) (open bool, next time.Time) {
	from := now
	if from.Before(startAt) {
		from = startAt
	}
	if !endAt.IsZero() && !from.Before(endAt) {
		return false, time.Time{}
	}
	next = NextOpening(ws, from)
	if next.IsZero() || (!endAt.IsZero() && !next.Before(endAt)) {
		return false, time.Time{}
	}
	if next.Equal(now) {
		return true, time.Time{}
	}
	return false, next
}

// open: the first opening after now-dur is at or before now.
func (s schedule) open(now time.Time) bool {
	t := s.next(now.Add(-s.dur))
	return !t.IsZero() && !t.After(now)
}

func valid(ws []Window) []schedule {
	out := make([]schedule, 0, len(ws))
	for _, w := range ws {
		if s, err := parseOne(w); err == nil {
			out = append(out, s)
		}
	}
	return out
}
