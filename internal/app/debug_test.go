package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/config"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func TestDebugListenerServesPprofOnLoopback(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		cfg := config.Default()
		cfg.DebugAddr = ":0"
		a, err := app.New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		addr, err := a.StartDebug(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
			t.Fatalf("a bare :port listens on %s, want loopback", addr)
		}
		resp, err := http.Get("http://" + addr + "/debug/pprof/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
			t.Fatalf("GET /debug/pprof/: %d %.200s", resp.StatusCode, body)
		}
	})
}

func TestDebugListenerIsOffByDefault(t *testing.T) {
	if addr, err := config.Default().DebugListenAddr(); addr != "" || err != nil {
		t.Fatalf("default: %q, %v; want off", addr, err)
	}
	c := config.Default()
	c.DebugAddr = "0.0.0.0:6060"
	if addr, _ := c.DebugListenAddr(); addr != "0.0.0.0:6060" {
		t.Fatalf("an explicit host: %q, want it kept", addr)
	}
	c.DebugAddr = "6060"
	if err := c.Validate(); err == nil {
		t.Fatal("a port without a colon is accepted")
	}
}
