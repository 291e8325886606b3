package cost

import (
	"cmp"
	"slices"
	"time"
)

// Entry is one cost incurred: a rollout's actual cost, booked at a time.
type Entry struct {
	At       time.Time
	Cost     float64
	Bytes    int64
	Currency string
}

// Month is the cost of one image in one calendar month and currency.
type Month struct {
	Month    string  `json:"month"` // "2026-11"
	Currency string  `json:"currency"`
	Cost     float64 `json:"cost"`
	Bytes    int64   `json:"download_bytes"`
}

// Monthly sums entries by calendar month in loc (UTC when nil) and by
// currency, oldest month first. A currency change in the rules therefore
// shows as two sums for a month rather than one wrong one.
func Monthly(entries []Entry, loc *time.Location) []Month {
	if loc == nil {
		loc = time.UTC
	}
	type key struct{ month, currency string }
	sums := map[key]*Month{}
	for _, e := range entries {
		k := key{e.At.In(loc).Format("2006-01"), e.Currency}
		m := sums[k]
		if m == nil {
			m = &Month{Month: k.month, Currency: k.currency}
			sums[k] = m
		}
		m.Cost += e.Cost
		m.Bytes = add(m.Bytes, e.Bytes)
	}
	out := make([]Month, 0, len(sums))
	for _, m := range sums {
		m.Cost = Round(m.Cost)
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Month) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
