package rollout

import (
	"math"
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Rate limits how fast a rollout tells devices to update, like AWS IoT
// Jobs' maximumPerMinute and exponential rollout. The zero value is no limit.
type Rate struct {
	MaxPerMinute int  `json:"max_devices_per_minute,omitempty"` // a cap on the ramp too; 0: none
	Ramp         Ramp `json:"ramp"`
}

// Ramp starts BasePerMinute devices a minute and multiplies that by Factor
// each time EverySucceeded more devices have succeeded. BasePerMinute 0
// means no ramp.
type Ramp struct {
	BasePerMinute  int     `json:"base_per_minute,omitempty"`
	Factor         float64 `json:"factor,omitempty"`
	EverySucceeded int     `json:"every_succeeded,omitempty"`
}

// Bounds of a rate, as AWS IoT Jobs has them.
const (
	MaxRatePerMinute = 1000
	MaxRampFactor    = 5
)

// Validate checks r as a policy's max_devices_per_minute and ramp; errors
// are EINVALID naming the field.
func (r Rate) Validate() error {
	switch rp := r.Ramp; {
	case r.MaxPerMinute < 0 || r.MaxPerMinute > MaxRatePerMinute:
		return airlock.FieldErrorf("max_devices_per_minute", "must be between 0 (no limit) and %d", MaxRatePerMinute)
	case rp == Ramp{}:
		return nil
	case rp.BasePerMinute < 1 || rp.BasePerMinute > MaxRatePerMinute:
		return airlock.FieldErrorf("ramp.base_per_minute", "must be between 1 and %d", MaxRatePerMinute)
	case !(rp.Factor > 1 && rp.Factor <= MaxRampFactor):
		return airlock.FieldErrorf("ramp.factor", "must be above 1 and at most %d", MaxRampFactor)
	case rp.EverySucceeded < 1:
		return airlock.FieldErrorf("ramp.every_succeeded", "must be at least 1")
	}
	return nil
}

// PerMinute is how many devices may start a minute once succeeded devices
// have succeeded; 0 means no limit.
func (r Rate) PerMinute(succeeded int) int {
	rp := r.Ramp
	if rp.BasePerMinute <= 0 {
		return max(r.MaxPerMinute, 0)
	}
	limit := MaxRatePerMinute
	if r.MaxPerMinute > 0 {
		limit = min(limit, r.MaxPerMinute)
	}
	steps := 0
	if rp.EverySucceeded > 0 {
		steps = max(succeeded, 0) / rp.EverySucceeded
	}
	rate := float64(rp.BasePerMinute) * math.Pow(max(rp.Factor, 1), float64(steps))
	return int(min(rate, float64(limit)))
}

// Allowance says how many more devices may start at now, given when
// devices started (only those in the minute up to now count) and how many
// have succeeded; when the answer is 0, next is when one may. Without a
// limit it is math.MaxInt.
func Allowance(r Rate, started []time.Time, succeeded int, now time.Time) (n int, next time.Time) {
	limit := r.PerMinute(succeeded)
	if limit == 0 {
		return math.MaxInt, time.Time{}
	}
	from := now.Add(-time.Minute)
	var recent []time.Time
	for _, t := range started {
		if t.After(from) && !t.After(now) {
			recent = append(recent, t)
		}
	}
	if len(recent) < limit {
		return limit - len(recent), time.Time{}
	}
	// One may start when all but limit-1 of the recent starts are a minute old.
	slices.SortFunc(recent, time.Time.Compare)
	return 0, recent[len(recent)-limit].Add(time.Minute)
}
