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
	MetricsToken       string
	SecretsFile        string // where generated secrets go when stderr is no terminal; "" beside the database
	PublicURL          string
	MonitorInterval    time.Duration
	InternalPrefixes   []string
	LogFormat          string
	LogLevel           string
	DeviceOfflineAfter time.Duration
	ShutdownTimeout    time.Duration
	DeliveryRetention  time.Duration // how long webhook answers are kept for redeliveries
	RateLimits         RateLimits
	// ResolveUndeclared resolves tags to digests on registries nobody
	// declared (best effort); off, their pushes roll out by tag.
	ResolveUndeclared bool
	DebugAddr         string // net/http/pprof listener; "" for none, a bare ":port" is loopback only

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
		ResolveUndeclared:  true,
	}
}

// Load parses args over the environment (lookup, as os.LookupEnv) over
// the defaults.
func Load(fs *flag.FlagSet, args []string, lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	e := &env{lookup: lookup}
	var prefixes string
	fs.StringVar(&c.Addr, "addr", e.get("AIRLOCK_ADDR", c.Addr), "listen address (AIRLOCK_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", e.get("AIRLOCK_DATABASE_URL", c.DatabaseURL), "sqlite:PATH or postgres://… (AIRLOCK_DATABASE_URL)")
	fs.StringVar(&c.AdminToken, "admin-token", e.get("AIRLOCK_ADMIN_TOKEN", ""), "bootstrap admin token (AIRLOCK_ADMIN_TOKEN)")
	fs.StringVar(&c.WebhookSecret, "webhook-secret", e.get("AIRLOCK_WEBHOOK_SECRET", ""), "webhook secret (AIRLOCK_WEBHOOK_SECRET)")
	fs.StringVar(&c.MetricsToken, "metrics-token", e.get("AIRLOCK_METRICS_TOKEN", ""), "bearer token that may read /metrics besides API tokens (AIRLOCK_METRICS_TOKEN)")
	fs.StringVar(&c.SecretsFile, "secrets-file", e.get("AIRLOCK_SECRETS_FILE", ""), "file generated secrets are written to when stderr is not a terminal (AIRLOCK_SECRETS_FILE; default beside the database)")
	fs.StringVar(&c.PublicURL, "public-url", e.get("AIRLOCK_PUBLIC_URL", ""), "base URL registries reach this server at, for the printed webhook URL (AIRLOCK_PUBLIC_URL)")
	durationVar(fs, e, &c.MonitorInterval, "monitor-interval", "AIRLOCK_MONITOR_INTERVAL", "rollout monitor tick")
	fs.StringVar(&prefixes, "internal-prefixes", internalPrefixes(e, c.InternalPrefixes), "comma-separated images that skip the approval check; empty for none (AIRLOCK_INTERNAL_PREFIXES)")
	fs.StringVar(&c.LogFormat, "log-format", e.get("AIRLOCK_LOG_FORMAT", c.LogFormat), "text or json (AIRLOCK_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", e.get("AIRLOCK_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (AIRLOCK_LOG_LEVEL)")
	durationVar(fs, e, &c.DeviceOfflineAfter, "device-offline-after", "AIRLOCK_DEVICE_OFFLINE_AFTER", "a device unseen this long is offline")
	fs.StringVar(&c.DebugAddr, "debug-addr", e.get("AIRLOCK_DEBUG_ADDR", ""), "net/http/pprof listener, loopback unless a host is given; off when empty (AIRLOCK_DEBUG_ADDR)")
	durationVar(fs, e, &c.DeliveryRetention, "delivery-retention", "AIRLOCK_DELIVERY_RETENTION", "how long a webhook delivery's answer is kept for its redeliveries")
	fs.BoolVar(&c.ResolveUndeclared, "resolve-undeclared", e.get("AIRLOCK_RESOLVE_UNDECLARED", "true") == "true",
		"resolve tags to digests on undeclared registries, best effort (AIRLOCK_RESOLVE_UNDECLARED)")
	notify := notifyFlags(fs, &c, e.get)
	rateFlags(fs, &c, e)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (flags go before any argument; this command takes none)", fs.Arg(0))
	}
	if e.err != nil {
		return c, e.err
	}
	c.InternalPrefixes = splitList(prefixes)
	notify()
	return c, c.Validate()
}

// internalPrefixes is AIRLOCK_INTERNAL_PREFIXES when set, even to "" (no
// bypass at all), else the defaults.
func internalPrefixes(e *env, def []string) string {
	if v, ok := e.value("AIRLOCK_INTERNAL_PREFIXES"); ok {
		return v
	}
	return strings.Join(def, ",")
}

// FromEnv loads the configuration from the process environment only.
func FromEnv() (Config, error) {
	return Load(flag.NewFlagSet("airlock", flag.ContinueOnError), nil, os.LookupEnv)
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
	for name, v := range map[string]string{"AIRLOCK_ADMIN_TOKEN": c.AdminToken, "AIRLOCK_WEBHOOK_SECRET": c.WebhookSecret, "AIRLOCK_METRICS_TOKEN": c.MetricsToken} {
		if err := checkSecret(name, v); err != nil {
			return err
		}
	}
	if err := c.RateLimits.validate(); err != nil {
		return err
	}
	if _, err := c.DebugListenAddr(); err != nil {
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

// durationVar is a duration flag whose default comes from variable envName;
// a malformed value there is reported by Load, naming the variable and value.
func durationVar(fs *flag.FlagSet, e *env, p *time.Duration, name, envName, usage string) {
	if v := e.get(envName, ""); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			*p = d
		} else {
			e.fail(fmt.Errorf("%s: %q is not a duration (e.g. 30s, 5m, 1h)", envName, v))
		}
	}
	fs.Func(name, fmt.Sprintf("%s (%s; default %s)", usage, envName, *p), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 30s, 5m, 1h)", s)
		}
		*p = d
		return nil
	})
}
