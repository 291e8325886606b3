package config

import (
	"flag"
	"fmt"
	"strconv"
)

// RateLimits are the per-caller request rates, per replica; 0 turns a limit
// off. See api.Server.SetRateLimits for who is exempt.
type RateLimits struct {
	WebhookPerSecond float64 // per authenticated webhook sender
	DevicePerSecond  float64 // per device
	Loopback         bool    // limit loopback callers too
}

// rateFlags declares the rate-limit settings. A device polls every 30 s or
// so and reports after each change, so 2/s leaves room for bursts; a
// registry rarely sends more than a few pushes a second.
func rateFlags(fs *flag.FlagSet, c *Config, e *env) {
	c.RateLimits = RateLimits{WebhookPerSecond: 20, DevicePerSecond: 2}
	floatVar(fs, e, &c.RateLimits.WebhookPerSecond, "webhook-rate-limit", "AIRLOCK_WEBHOOK_RATE_LIMIT",
		"webhook deliveries a second per authenticated sender, 0 for no limit (AIRLOCK_WEBHOOK_RATE_LIMIT)")
	floatVar(fs, e, &c.RateLimits.DevicePerSecond, "device-rate-limit", "AIRLOCK_DEVICE_RATE_LIMIT",
		"device requests a second per device, 0 for no limit (AIRLOCK_DEVICE_RATE_LIMIT)")
	fs.BoolVar(&c.RateLimits.Loopback, "rate-limit-loopback", e.get("AIRLOCK_RATE_LIMIT_LOOPBACK", "") == "true",
		"apply rate limits to loopback callers too (AIRLOCK_RATE_LIMIT_LOOPBACK)")
}

// floatVar is a float flag whose default comes from variable envName; a
// malformed or negative value there is reported by Load, naming both.
func floatVar(fs *flag.FlagSet, e *env, p *float64, name, envName, usage string) {
	if v := e.get(envName, ""); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
			*p = f
		} else {
			e.fail(fmt.Errorf("%s: want a non-negative number, got %q", envName, v))
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
