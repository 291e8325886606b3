package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := load(env{
		"AIRLOCK_ADMIN_TOKEN_FILE":    write("admin", "alk_from-a-file-0123456789\n"),
		"AIRLOCK_WEBHOOK_SECRET_FILE": write("hook", "whs_from-a-file-0123456789"),
		"AIRLOCK_METRICS_TOKEN_FILE":  write("metrics", "mts_from-a-file-0123456789\r\n"),
		"AIRLOCK_NOTIFY_SECRET_FILE":  write("notify", "n-secret"),
		"AIRLOCK_NOTIFY_URLS":         "https://ops.example.com/hook",
		"AIRLOCK_SMTP_URL_FILE":       write("smtp", "smtp://u:p@mail.example.com:587"),
		"AIRLOCK_NOTIFY_EMAIL_TO":     "a@example.com",
		"AIRLOCK_DATABASE_URL_FILE":   write("db", "postgres://u:p@db/airlock"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{c.AdminToken: "alk_from-a-file-0123456789", c.WebhookSecret: "whs_from-a-file-0123456789",
		c.MetricsToken: "mts_from-a-file-0123456789", c.NotifySecret: "n-secret", c.SMTPURL: "smtp://u:p@mail.example.com:587",
		c.DatabaseURL: "postgres://u:p@db/airlock"} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestEmptyInternalPrefixesMeansNone(t *testing.T) {
	c, err := load(env{"AIRLOCK_INTERNAL_PREFIXES": ""})
	if err != nil || len(c.InternalPrefixes) != 0 {
		t.Fatalf("set but empty: %v, %v: want no prefixes", c.InternalPrefixes, err)
	}
	if c, _ := load(env{}); len(c.InternalPrefixes) != 2 {
		t.Fatalf("unset: %v, want the defaults", c.InternalPrefixes)
	}
}

func TestWeakSecretsAreRefused(t *testing.T) {
	for _, name := range []string{"AIRLOCK_ADMIN_TOKEN", "AIRLOCK_WEBHOOK_SECRET", "AIRLOCK_METRICS_TOKEN"} {
		if _, err := load(env{name: "short"}); err == nil || !strings.Contains(err.Error(), name+" is too short") {
			t.Errorf("%s=short: %v", name, err)
		}
	}
	if _, err := load(env{"AIRLOCK_ADMIN_TOKEN": "alk_0123456789abcdefgh"}); err != nil {
		t.Errorf("a 22-character token: %v", err)
	}
}
