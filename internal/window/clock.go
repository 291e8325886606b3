package window

import "time"

// next returns the first opening after t, or the zero time if there is none.
//
// The cron expression is matched against wall-clock time in the window's
// zone, like a crontab, and each wall-clock opening happens once:
//   - an opening in the hour skipped when clocks go forward happens as
//     they jump, so the window is not lost for the night (vixie cron does
//     the same);
//   - an opening in the hour repeated when clocks go back happens at its
//     first occurrence only, so the window does not open twice.
func (s schedule) next(t time.Time) time.Time {
	w := wall(t, s.loc)
	for range 4 { // one wall-clock opening may map before t in a fold; a few steps find the next
		w = s.spec.Next(w)
		if w.IsZero() {
			return w
		}
		if at := instant(w, s.loc); at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// wall is t's wall clock in loc, expressed in UTC.
func wall(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instant returns the first instant whose wall clock in loc is w, or the
// moment the clocks jump if w falls in a skipped interval.
func instant(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	start, end := t.ZoneBounds()
	switch got := wall(t, loc); {
	case got.Before(w): // in a gap, read with the offset before it
		return end
	case got.After(w): // in a gap, read with the offset after it
		return start
	}
	if start.IsZero() {
		return t
	}
	_, before := start.Add(-time.Nanosecond).Zone()
	_, now := t.Zone()
	if earlier := t.Add(time.Duration(now-before) * time.Second); earlier.Before(start) && wall(earlier, loc).Equal(w) {
		return earlier // the first of two instants with this wall clock
	}
	return t
}
