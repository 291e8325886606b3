package config

import (
	"fmt"
	"os"
	"strings"
)

// secretVars may also be given as NAME_FILE, the path of a file holding the
// value (a Docker or Kubernetes secret), so that it need not sit in the
// environment. AIRLOCK_DATABASE_URL, AIRLOCK_SMTP_URL and AIRLOCK_NOTIFY_URLS
// are among them: they may carry a password or a Slack hook's secret path.
var secretVars = map[string]bool{
	"AIRLOCK_ADMIN_TOKEN": true, "AIRLOCK_WEBHOOK_SECRET": true, "AIRLOCK_METRICS_TOKEN": true,
	"AIRLOCK_NOTIFY_SECRET": true, "AIRLOCK_SMTP_URL": true, "AIRLOCK_DATABASE_URL": true, "AIRLOCK_NOTIFY_URLS": true,
}

// minSecretLen is the shortest token or secret accepted from the
// environment: a guessable one would be a permanent way in.
const minSecretLen = 20

// env reads variables, remembering the first one that cannot be used so
// that Load reports it by name and value (secrets by name only).
type env struct {
	lookup func(string) (string, bool)
	err    error
}

// get is the variable's value, or def when it is unset or empty.
func (e *env) get(name, def string) string {
	if v, ok := e.value(name); ok && v != "" {
		return v
	}
	return def
}

// value is the variable's value and whether it is set (even to "").
func (e *env) value(name string) (string, bool) {
	v, ok := e.lookup(name)
	if !secretVars[name] {
		return v, ok
	}
	path, _ := e.lookup(name + "_FILE")
	switch {
	case path == "":
		return v, ok
	case v != "":
		e.fail(fmt.Errorf("set %s or %s_FILE, not both", name, name))
		return "", false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		e.fail(fmt.Errorf("%s_FILE: %w", name, err))
		return "", false
	}
	return strings.TrimRight(string(b), "\r\n"), true
}

func (e *env) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// checkSecret refuses a configured secret shorter than minSecretLen.
func checkSecret(name, v string) error {
	if v != "" && len(v) < minSecretLen {
		return fmt.Errorf("%s is too short (%d characters): use at least %d random characters, e.g. $(openssl rand -hex 24)", name, len(v), minSecretLen)
	}
	return nil
}
