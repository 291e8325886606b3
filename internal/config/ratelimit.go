package config

import (
	"flag"
	"fmt"
	"strconv"
)

// RateLimits are the per-caller request rates; 0 turns a limit off.
type RateLimits struct {
	WebhookPerSecond float64 // per webhook sender address
	DevicePerSecond  float64 // per device key
	Loopback         bool    // limit loopback callers too
}

// rateFlags declares the rate-limit settings. A device polls every 30 s or
// so and reports after each change, so 2/s leaves room for bursts; a
// registry rarely sends more than a few pushes a second.
func rateFlags(fs *flag.FlagSet, c *Config, env func(name, def string) string) {
	c.RateLimits = RateLimits{WebhookPerSecond: 20, DevicePerSecond: 2}
	floatVar(fs, &c.RateLimits.WebhookPerSecond, "webhook-rate-limit", env("AIRLOCK_WEBHOOK_RATE_LIMIT", ""),
		"webhook deliveries a second per sender address, 0 for no limit (AIRLOCK_WEBHOOK_RATE_LIMIT)")
	floatVar(fs, &c.RateLimits.DevicePerSecond, "device-rate-limit", env("AIRLOCK_DEVICE_RATE_LIMIT", ""),
		"device requests a second per device key, 0 for no limit (AIRLOCK_DEVICE_RATE_LIMIT)")
	fs.BoolVar(&c.RateLimits.Loopback, "rate-limit-loopback", env("AIRLOCK_RATE_LIMIT_LOOPBACK", "") == "true",
		"apply rate limits to loopback callers too (AIRLOCK_RATE_LIMIT_LOOPBACK)")
}

// floatVar is a float flag whose default comes from an env string; a
// malformed or negative value makes the rate -1, which Validate names.
func floatVar(fs *flag.FlagSet, p *float64, name, envValue, usage string) {
	if envValue != "" {
		if v, err := strconv.ParseFloat(envValue, 64); err == nil && v >= 0 {
			*p = v
		} else {
			*p = -1
		}
	}
	fs.Func(name, usage+fmt.Sprintf(" (default %g)", *p), func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 {
			return fmt.Errorf("want a non-negative number, got %q", s)
		}
		*p = v
		return nil
	})
}

func (r RateLimits) validate() error {
	if r.WebhookPerSecond < 0 || r.DevicePerSecond < 0 {
		return fmt.Errorf("AIRLOCK_WEBHOOK_RATE_LIMIT and AIRLOCK_DEVICE_RATE_LIMIT must be non-negative numbers")
	}
	return nil
}
