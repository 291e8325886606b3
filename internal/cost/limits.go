package cost

import (
	"fmt"
	"math"
	"strconv"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Bounds on the limits a policy may set.
const (
	MaxByteLimit = int64(1e15) // 1 PB per device
	MaxCostLimit = 1e12
)

// Limits are a policy's cost limits. Zero means no limit.
type Limits struct {
	MaxDownloadBytesPerDevice int64   `json:"max_download_bytes_per_device"`
	MaxRolloutCost            float64 `json:"max_rollout_cost"` // in the cost rules' currency
}

// ValidateLimits checks that each limit is zero or a positive, bounded number.
func ValidateLimits(l Limits) error {
	if l.MaxDownloadBytesPerDevice < 0 || l.MaxDownloadBytesPerDevice > MaxByteLimit {
		return airlock.FieldErrorf("max_download_bytes_per_device", "must be from 0 (no limit) to %d", MaxByteLimit)
	}
	if math.IsNaN(l.MaxRolloutCost) || l.MaxRolloutCost < 0 || l.MaxRolloutCost > MaxCostLimit {
		return airlock.FieldErrorf("max_rollout_cost", "must be from 0 (no limit) to %g", float64(MaxCostLimit))
	}
	return nil
}

// Check is whether a rollout is over its policy's limits, with the figures.
type Check struct {
	Hold           bool     `json:"hold"`
	Reasons        []string `json:"reasons,omitempty"`
	DevicesOver    int      `json:"devices_over"`     // devices over max_download_bytes_per_device
	MaxDeviceBytes int64    `json:"max_device_bytes"` // the largest download of one device
	EstimatedCost  float64  `json:"estimated_cost"`
	Currency       string   `json:"currency,omitempty"`
}

// CheckLimits holds a rollout that would make any device download more
// than max_download_bytes_per_device, or whose estimated cost is over
// max_rollout_cost (unpriced devices add nothing to it). An approver
// releases a held rollout; the reasons carry the figures.
func CheckLimits(l Limits, r Rollout) Check {
	c := Check{EstimatedCost: r.EstimatedCost, Currency: r.Currency}
	for _, d := range r.Devices {
		c.MaxDeviceBytes = max(c.MaxDeviceBytes, d.Bytes)
		if l.MaxDownloadBytesPerDevice > 0 && d.Bytes > l.MaxDownloadBytesPerDevice {
			c.DevicesOver++
		}
	}
	if c.DevicesOver > 0 {
		c.Reasons = append(c.Reasons, fmt.Sprintf("%s would download up to %s, over max_download_bytes_per_device %s",
			devices(c.DevicesOver), FormatBytes(c.MaxDeviceBytes), FormatBytes(l.MaxDownloadBytesPerDevice)))
	}
	if l.MaxRolloutCost > 0 && r.EstimatedCost > l.MaxRolloutCost {
		c.Reasons = append(c.Reasons, fmt.Sprintf("estimated cost %s %s is over max_rollout_cost %s %s",
			amount(r.EstimatedCost), r.Currency, amount(l.MaxRolloutCost), r.Currency))
	}
	c.Hold = len(c.Reasons) > 0
	return c
}

// FormatBytes shows a byte count in decimal units with the exact count:
// "180 MB (180000000 bytes)".
func FormatBytes(n int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB", "PB", "EB"}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%s %s (%d bytes)", amount(math.Round(v*10)/10), units[i], n)
}

// amount shows a number without float noise or exponent: 42.5, 1234.5678.
func amount(v float64) string { return strconv.FormatFloat(Round(v), 'f', -1, 64) }

func devices(n int) string {
	if n == 1 {
		return "1 device"
	}
	return fmt.Sprintf("%d devices", n)
}
