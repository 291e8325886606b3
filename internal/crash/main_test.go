// Package crash proves that killing `airlock serve` with SIGKILL at any
// moment loses nothing answered and repeats nothing: it runs the real
// binary as a subprocess, kills it mid-work and restarts it on the same
// database.
package crash

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "airlock-crash-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "airlock")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/airlock")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building airlock:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	adminToken = "alk_crash-admin-token-0123"
	secret     = "whs_crash-webhook-secret-0123"
)

// server is one run of `airlock serve`.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *os.File
}

// startServer runs airlock serve on dbURL and waits until it answers.
func startServer(t *testing.T, dbURL string, env ...string) *server {
	t.Helper()
	return startServerOn(t, dbURL, freePort(t), env...)
}

// startServerOn is startServer on a given port, so that a restarted server
// is found where its clients left it.
func startServerOn(t *testing.T, dbURL, port string, env ...string) *server {
	t.Helper()
	logs, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "AIRLOCK_ADDR=127.0.0.1:"+port, "AIRLOCK_DATABASE_URL="+dbURL,
		"AIRLOCK_ADMIN_TOKEN="+adminToken, "AIRLOCK_WEBHOOK_SECRET="+secret, "AIRLOCK_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, url: "http://127.0.0.1:" + port, logs: logs}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			b, err := os.ReadFile(logs.Name())
			t.Logf("serve log (%v):\n%s", err, errorLines(b))
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _ := os.ReadFile(logs.Name())
	t.Fatalf("airlock serve did not answer: %s", b)
	return nil
}

// kill sends SIGKILL: no shutdown hook runs, as in a power cut.
func (s *server) kill() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// errorLines is the lines of a log that report errors.
func errorLines(b []byte) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
