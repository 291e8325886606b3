package config_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/config"
)

type env = map[string]string

func load(vars env) (config.Config, error) {
	return config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

func TestNotifySettings(t *testing.T) {
	c, err := load(map[string]string{"AIRLOCK_NOTIFY_URLS": "https://ops.example.com/hook, slack+https://chat.example.com/T/B/x",
		"AIRLOCK_NOTIFY_SECRET": "s", "AIRLOCK_SMTP_URL": "smtp://mail.example.com:587", "AIRLOCK_NOTIFY_EMAIL_TO": "a@example.com,b@example.com"})
	if err != nil || len(c.NotifyURLs) != 2 || len(c.NotifyEmailTo) != 2 || c.NotifyEmailFrom != "airlock@localhost" {
		t.Fatalf("%+v, %v", c, err)
	}
	secretPath := "https://hooks.slack.com/services/T0/B0/very-secret"
	for _, tc := range []struct {
		env  env
		want string
	}{
		{env{"AIRLOCK_NOTIFY_URLS": "https://ops.example.com/hook"}, "AIRLOCK_NOTIFY_SECRET is needed"},
		{env{"AIRLOCK_NOTIFY_URLS": "ftp://x/y", "AIRLOCK_NOTIFY_SECRET": "s"}, "entry 1: scheme"},
		{env{"AIRLOCK_NOTIFY_URLS": "https://a/b,/relative", "AIRLOCK_NOTIFY_SECRET": "s"}, "entry 2 is not an absolute URL"},
		{env{"AIRLOCK_SMTP_URL": "smtp://mail:25"}, "go together"},
		{env{"AIRLOCK_NOTIFY_EMAIL_TO": "a@example.com"}, "go together"},
		{env{"AIRLOCK_SMTP_URL": "http://mail", "AIRLOCK_NOTIFY_EMAIL_TO": "a@example.com"}, "AIRLOCK_SMTP_URL must be"},
		{env{"AIRLOCK_SMTP_URL": "smtp://mail", "AIRLOCK_NOTIFY_EMAIL_TO": "not an address"}, "email address"},
		{env{"AIRLOCK_NOTIFY_URLS": secretPath + ",ftp://" + secretPath[8:]}, "entry 2: scheme"},
	} {
		_, err := load(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "very-secret") {
			t.Errorf("the error shows a URL's secret: %v", err)
		}
	}
	if _, err := load(map[string]string{"AIRLOCK_NOTIFY_URLS": secretPath}); err != nil {
		t.Errorf("a Slack URL needs no signing secret: %v", err)
	}
}
