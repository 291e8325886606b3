// Package config reads Airlock's configuration from the environment and
// flags (a flag wins over its variable) and validates it.
package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Config is everything `airlock serve` needs.
type Config struct {
	Addr               string
	DatabaseURL        string
	AdminToken         string
	WebhookSecret      string
	PublicURL          string
	MonitorInterval    time.Duration
	InternalPrefixes   []string
	LogFormat          string
	LogLevel           string
	DeviceOfflineAfter time.Duration
	ShutdownTimeout    time.Duration
	DeliveryRetention  time.Duration // how long webhook answers are kept for redeliveries
	RateLimits         RateLimits

	// Notifications (see notify.go).
	NotifyURLs      []string
	NotifySecret    string
	SMTPURL         string
	NotifyEmailTo   []string
	NotifyEmailFrom string
}

// Default is the configuration with nothing set.
func Default() Config {
	return Config{
		Addr:               ":4002",
		DatabaseURL:        "sqlite:airlock.db",
		MonitorInterval:    30 * time.Second,
		InternalPrefixes:   []string{"iotistic/", "ghcr.io/dsamborschi/"},
		LogFormat:          "text",
		LogLevel:           "info",
		DeviceOfflineAfter: 5 * time.Minute,
		ShutdownTimeout:    15 * time.Second,
		DeliveryRetention:  7 * 24 * time.Hour,
		NotifyEmailFrom:    "airlock@localhost",
	}
}

// Load parses args over the environment over the defaults.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var prefixes string
	fs.StringVar(&c.Addr, "addr", env("AIRLOCK_ADDR", c.Addr), "listen address (AIRLOCK_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("AIRLOCK_DATABASE_URL", c.DatabaseURL), "sqlite:PATH or postgres://… (AIRLOCK_DATABASE_URL)")
	fs.StringVar(&c.AdminToken, "admin-token", env("AIRLOCK_ADMIN_TOKEN", ""), "bootstrap admin token (AIRLOCK_ADMIN_TOKEN)")
	fs.StringVar(&c.WebhookSecret, "webhook-secret", env("AIRLOCK_WEBHOOK_SECRET", ""), "webhook secret (AIRLOCK_WEBHOOK_SECRET)")
	fs.StringVar(&c.PublicURL, "public-url", env("AIRLOCK_PUBLIC_URL", ""), "base URL registries reach this server at, for the printed webhook URL (AIRLOCK_PUBLIC_URL)")
	durationVar(fs, &c.MonitorInterval, "monitor-interval", env("AIRLOCK_MONITOR_INTERVAL", ""), "rollout monitor tick (AIRLOCK_MONITOR_INTERVAL)")
	fs.StringVar(&prefixes, "internal-prefixes", env("AIRLOCK_INTERNAL_PREFIXES", strings.Join(c.InternalPrefixes, ",")), "comma-separated images that skip the approval check (AIRLOCK_INTERNAL_PREFIXES)")
	fs.StringVar(&c.LogFormat, "log-format", env("AIRLOCK_LOG_FORMAT", c.LogFormat), "text or json (AIRLOCK_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("AIRLOCK_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (AIRLOCK_LOG_LEVEL)")
	durationVar(fs, &c.DeviceOfflineAfter, "device-offline-after", env("AIRLOCK_DEVICE_OFFLINE_AFTER", ""), "a device unseen this long is offline (AIRLOCK_DEVICE_OFFLINE_AFTER)")
	durationVar(fs, &c.DeliveryRetention, "delivery-retention", env("AIRLOCK_DELIVERY_RETENTION", ""), "how long a webhook delivery's answer is kept for its redeliveries (AIRLOCK_DELIVERY_RETENTION)")
	notify := notifyFlags(fs, &c, env)
	rateFlags(fs, &c, env)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.InternalPrefixes = splitList(prefixes)
	notify()
	return c, c.Validate()
}

// FromEnv loads the configuration from the process environment only.
func FromEnv() (Config, error) {
	return Load(flag.NewFlagSet("airlock", flag.ContinueOnError), nil, os.Getenv)
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Addr == "":
		return fmt.Errorf("AIRLOCK_ADDR is empty")
	case c.DatabaseURL == "":
		return fmt.Errorf("AIRLOCK_DATABASE_URL is empty")
	case c.MonitorInterval <= 0:
		return fmt.Errorf("AIRLOCK_MONITOR_INTERVAL must be positive, got %s", c.MonitorInterval)
	case c.DeviceOfflineAfter <= 0:
		return fmt.Errorf("AIRLOCK_DEVICE_OFFLINE_AFTER must be positive, got %s", c.DeviceOfflineAfter)
	case c.DeliveryRetention <= 0:
		return fmt.Errorf("AIRLOCK_DELIVERY_RETENTION must be positive, got %s", c.DeliveryRetention)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("AIRLOCK_LOG_FORMAT must be text or json, got %q", c.LogFormat)
	}
	if _, ok := levels[c.LogLevel]; !ok {
		return fmt.Errorf("AIRLOCK_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if err := c.RateLimits.validate(); err != nil {
		return err
	}
	return c.validateNotify()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// durationVar is a duration flag whose default comes from an env string;
// a malformed env value is reported by Parse like a malformed flag.
func durationVar(fs *flag.FlagSet, p *time.Duration, name, envValue, usage string) {
	fs.Func(name, usage+fmt.Sprintf(" (default %s)", *p), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*p = d
		return nil
	})
	if envValue != "" {
		if d, err := time.ParseDuration(envValue); err == nil {
			*p = d
		} else {
			*p = -1 // Validate names the variable
		}
	}
}
