package cost

import "math"

// Device is one device of a rollout: its labels, the bytes it downloads
// (Download of the platform it pulls), and whether it has reported running
// the new image.
type Device struct {
	UUID     string
	Labels   map[string]string
	Bytes    int64
	Reported bool
}

// DeviceCost is one device's share of a rollout.
type DeviceCost struct {
	UUID   string  `json:"uuid"`
	Bytes  int64   `json:"download_bytes"`
	Cost   float64 `json:"cost"`
	Rule   int     `json:"rule"` // index of the cost rule that priced it; -1 for none
	Priced bool    `json:"priced"`
}

// Rollout is what a rollout downloads and costs. Estimated counts every
// device; actual only those that reported running the new image. Amounts
// are in Currency (the rules', "" when there are none), rounded to 1/10,000
// of its unit so sub-cent downloads still show.
type Rollout struct {
	Currency      string       `json:"currency,omitempty"`
	DownloadBytes int64        `json:"download_bytes"`
	EstimatedCost float64      `json:"estimated_cost"`
	ActualBytes   int64        `json:"actual_bytes"`
	ActualCost    float64      `json:"actual_cost"`
	Unpriced      int          `json:"unpriced_devices"` // devices no rule matches: their bytes cost nothing here
	Devices       []DeviceCost `json:"devices"`
}

// Estimate prices each device's bytes under the rule that matches it
// (Match): bytes / 10^9 × per_gb.
func Estimate(rules []Rule, devices []Device) Rollout {
	out := Rollout{Devices: make([]DeviceCost, len(devices))}
	if len(rules) > 0 {
		out.Currency = rules[0].Currency
	}
	var estimated, actual float64
	for i, d := range devices {
		dc := DeviceCost{UUID: d.UUID, Bytes: max(d.Bytes, 0), Rule: -1}
		if r, idx, ok := Match(rules, d.Labels); ok {
			dc.Cost, dc.Rule, dc.Priced = Price(dc.Bytes, r.PerGB), idx, true
		} else {
			out.Unpriced++
		}
		out.DownloadBytes = add(out.DownloadBytes, dc.Bytes)
		estimated += dc.Cost
		if d.Reported {
			out.ActualBytes = add(out.ActualBytes, dc.Bytes)
			actual += dc.Cost
		}
		dc.Cost = Round(dc.Cost)
		out.Devices[i] = dc
	}
	out.EstimatedCost, out.ActualCost = Round(estimated), Round(actual)
	return out
}

// Price is what bytes cost at perGB per 10^9 bytes, unrounded.
func Price(bytes int64, perGB float64) float64 {
	return float64(max(bytes, 0)) / GB * perGB
}

// Round rounds an amount to 1/10,000 of its currency's unit.
func Round(amount float64) float64 {
	return math.Round(amount*1e4) / 1e4
}
