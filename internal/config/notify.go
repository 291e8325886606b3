package config

import (
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// notifyFlags declares the notification settings; the returned func splits
// the list values once flags are parsed.
func notifyFlags(fs *flag.FlagSet, c *Config, env func(name, def string) string) func() {
	var urls, to string
	fs.StringVar(&urls, "notify-urls", env("AIRLOCK_NOTIFY_URLS", ""), "comma-separated URLs told of approval requests and finished rollouts; slack+https://… or a hooks.slack.com URL gets Slack's form (AIRLOCK_NOTIFY_URLS)")
	fs.StringVar(&c.NotifySecret, "notify-secret", env("AIRLOCK_NOTIFY_SECRET", ""), "HMAC-SHA256 key signing notification bodies (AIRLOCK_NOTIFY_SECRET)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("AIRLOCK_SMTP_URL", ""), "smtp://[user:pass@]host:port (or smtps://) for approval-request email (AIRLOCK_SMTP_URL)")
	fs.StringVar(&to, "notify-email-to", env("AIRLOCK_NOTIFY_EMAIL_TO", ""), "comma-separated addresses emailed on approval requests (AIRLOCK_NOTIFY_EMAIL_TO)")
	fs.StringVar(&c.NotifyEmailFrom, "notify-email-from", env("AIRLOCK_NOTIFY_EMAIL_FROM", c.NotifyEmailFrom), "sender of notification email (AIRLOCK_NOTIFY_EMAIL_FROM)")
	return func() {
		c.NotifyURLs, c.NotifyEmailTo = splitList(urls), splitList(to)
	}
}

// IsSlackURL reports whether a notification URL gets Slack's {"text"} form:
// a slack+https:// URL (for Slack-compatible receivers elsewhere) or Slack's own hooks.
func IsSlackURL(u *url.URL) bool {
	return strings.HasPrefix(u.Scheme, "slack+") || u.Host == "hooks.slack.com"
}

// validateNotify checks the notification settings. Messages name the
// entry, never the URL: a Slack hook URL is itself a secret.
func (c Config) validateNotify() error {
	signed := false
	for i, raw := range c.NotifyURLs {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return fmt.Errorf("AIRLOCK_NOTIFY_URLS entry %d is not an absolute URL", i+1)
		}
		switch strings.TrimPrefix(u.Scheme, "slack+") {
		case "http", "https":
		default:
			return fmt.Errorf("AIRLOCK_NOTIFY_URLS entry %d: scheme must be http, https, slack+http or slack+https", i+1)
		}
		signed = signed || !IsSlackURL(u)
	}
	if signed && c.NotifySecret == "" {
		return fmt.Errorf("AIRLOCK_NOTIFY_SECRET is needed to sign the notifications sent to AIRLOCK_NOTIFY_URLS")
	}
	if (c.SMTPURL == "") != (len(c.NotifyEmailTo) == 0) {
		return fmt.Errorf("AIRLOCK_SMTP_URL and AIRLOCK_NOTIFY_EMAIL_TO go together: set both or neither")
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return fmt.Errorf("AIRLOCK_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…")
		}
	}
	for _, a := range append([]string{c.NotifyEmailFrom}, c.NotifyEmailTo...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("email address %q: %v", a, err)
		}
	}
	return nil
}
