package crash

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runAirlock runs the binary to its end (or 20 s) with env on top of a
// clean Airlock environment, and returns its output and exit code.
func runAirlock(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AIRLOCK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("airlock %v did not end: %s", args, out)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestOperatorMistakesGetClearAnswers: each mistake an operator made while
// trying Airlock out stops it with a message naming the fault.
func TestOperatorMistakesGetClearAnswers(t *testing.T) {
	t.Parallel()
	db := "AIRLOCK_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "a.db")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string // in the output; "" for exit code 0
	}{
		{"help", nil, []string{"serve", "-h"}, ""},
		{"stray argument", []string{db}, []string{"serve", "extra-arg", "--addr", "127.0.0.1:1"}, `unexpected argument "extra-arg"`},
		{"weak token", []string{db, "AIRLOCK_ADMIN_TOKEN=short"}, []string{"serve"}, "AIRLOCK_ADMIN_TOKEN is too short"},
		{"weak secret", []string{db, "AIRLOCK_WEBHOOK_SECRET=whs_demo-secret"}, []string{"serve"}, "AIRLOCK_WEBHOOK_SECRET is too short"},
		{"bad duration", []string{db, "AIRLOCK_MONITOR_INTERVAL=5 minutes"}, []string{"serve"}, `AIRLOCK_MONITOR_INTERVAL: "5 minutes" is not a duration`},
		{"bad rate", []string{db, "AIRLOCK_DEVICE_RATE_LIMIT=-3"}, []string{"serve"}, `AIRLOCK_DEVICE_RATE_LIMIT: want a non-negative number, got "-3"`},
		{"mysql", []string{"AIRLOCK_DATABASE_URL=mysql://u:p@db/airlock"}, []string{"migrate"}, `"mysql" databases are not supported`},
		{"secret twice", []string{db, "AIRLOCK_ADMIN_TOKEN=alk_0123456789abcdefghij", "AIRLOCK_ADMIN_TOKEN_FILE=/nonexistent"}, []string{"serve"}, "set AIRLOCK_ADMIN_TOKEN or AIRLOCK_ADMIN_TOKEN_FILE, not both"},
		{"missing secret file", []string{db, "AIRLOCK_METRICS_TOKEN_FILE=/nonexistent/metrics"}, []string{"serve"}, "AIRLOCK_METRICS_TOKEN_FILE: open /nonexistent/metrics"},
	} {
		out, code := runAirlock(t, tc.env, tc.args...)
		switch {
		case tc.want == "" && code != 0:
			t.Errorf("%s: exit %d, want 0: %s", tc.name, code, out)
		case tc.want != "" && (code == 0 || !strings.Contains(out, tc.want)):
			t.Errorf("%s: exit %d, want an error saying %q: %s", tc.name, code, tc.want, out)
		}
	}
}

// TestRevokedAdminTokenIsExplained: restarting with an AIRLOCK_ADMIN_TOKEN
// that was revoked says so, rather than failing on a unique constraint.
func TestRevokedAdminTokenIsExplained(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
	s := startServer(t, dbURL)
	if st, b := s.call("DELETE", "/api/v1/tokens/1", adminToken, ""); st != 204 {
		t.Fatalf("revoke: %d %s", st, b)
	}
	s.kill()
	out, code := runAirlock(t, []string{"AIRLOCK_DATABASE_URL=" + dbURL, "AIRLOCK_ADMIN_TOKEN=" + adminToken, "AIRLOCK_ADDR=127.0.0.1:0"}, "serve")
	if code == 0 || !strings.Contains(out, "AIRLOCK_ADMIN_TOKEN was revoked") || strings.Contains(out, "UNIQUE") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

// TestGeneratedSecretsStayOutOfTheLog: with stderr a log stream, the
// admin token and webhook URL made on the first start go to a 0600 file
// beside the database, and the log says only where.
func TestGeneratedSecretsStayOutOfTheLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, "sqlite:"+filepath.Join(dir, "a.db"), "AIRLOCK_ADMIN_TOKEN=", "AIRLOCK_WEBHOOK_SECRET=", "AIRLOCK_LOG_FORMAT=json", "AIRLOCK_LOG_LEVEL=info")
	path := filepath.Join(dir, "airlock-secrets.txt")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	secrets, _ := os.ReadFile(path)
	logs, _ := os.ReadFile(s.logs.Name())
	if strings.Contains(string(logs), "alk_") || strings.Contains(string(logs), "whs_") {
		t.Errorf("a generated secret reached the log:\n%s", logs)
	}
	if !strings.Contains(string(logs), path) || !strings.Contains(string(logs), "AIRLOCK_PUBLIC_URL") {
		t.Errorf("the log does not say where the secrets are, or does not warn of the localhost URL:\n%s", logs)
	}
	fields := strings.Fields(string(secrets))
	var token string
	for _, f := range fields {
		if strings.HasPrefix(f, "alk_") {
			token = f
		}
	}
	if token == "" || !strings.Contains(string(secrets), "/api/v1/webhooks/docker-registry?token=whs_") || !strings.Contains(string(secrets), "AIRLOCK_PUBLIC_URL") {
		t.Fatalf("secrets file:\n%s", secrets)
	}
	if st, _ := s.call("GET", "/api/v1/images", token, ""); st != 200 {
		t.Errorf("the admin token from the file: %d", st)
	}
}
