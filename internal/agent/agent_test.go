package agent_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/agent"
	"github.com/airlock-iot/airlock/internal/apitest"
)

func fleetConfig(s *apitest.Server, n int) agent.Config {
	return agent.Config{
		Server: s.URL, Token: apitest.AdminToken, Devices: n, Image: "redis:7.5-alpine",
		FailTags: []string{"7.7-alpine"}, Interval: 50 * time.Millisecond, PullDelay: 20 * time.Millisecond,
	}
}

func waitFor(t *testing.T, f *agent.Fleet, want map[[2]string]int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := f.WaitFor(ctx, func(s agent.Summary) bool {
		for k, n := range want {
			if s.Count(k[0], k[1]) != n {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
}

func setImage(s *apitest.Server, uuid, image string) {
	s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state",
		map[string]any{"apps": map[string]any{"cache": map[string]any{"image": image}}, "force": true, "reason": "test"})
}

func TestFleetConvergesOnTargetState(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		ctx, cancel := context.WithCancel(context.Background())
		keys := filepath.Join(t.TempDir(), "keys.json")
		cfg := fleetConfig(s, 5)
		cfg.KeysFile = keys
		f, err := agent.Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, f, map[[2]string]int{{"redis:7.5-alpine", "running"}: 5})

		devs := f.Devices()
		for _, d := range devs[:3] {
			setImage(s, d.UUID, "redis:7.6-alpine")
		}
		setImage(s, devs[3].UUID, "redis:7.7-alpine")
		waitFor(t, f, map[[2]string]int{
			{"redis:7.6-alpine", "running"}: 3, {"redis:7.7-alpine", "failed"}: 1, {"redis:7.5-alpine", "running"}: 1,
		})
		got := f.Summary().String()
		if !strings.Contains(got, "5 devices │") || !strings.Contains(got, "redis:7.6-alpine running 3") {
			t.Fatalf("summary line: %s", got)
		}

		checkFailedDevice(t, s, devs[3].UUID)

		cancel()
		stopped := make(chan struct{})
		go func() { f.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			t.Fatal("fleet did not stop")
		}

		// A restarted fleet reuses its keys and keeps the server's target states.
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		f2, err := agent.Start(ctx2, cfg)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, f2, map[[2]string]int{{"redis:7.6-alpine", "running"}: 3, {"redis:7.7-alpine", "failed"}: 1})
		var list struct{ Total int }
		s.Must(200, "GET", "/api/v1/devices", nil).JSON(t, &list)
		if list.Total != 5 {
			t.Fatalf("%d devices after restart, want 5", list.Total)
		}
	})
}

// checkFailedDevice asserts the server holds what the device uuid reported:
// online, its cache app failed on redis:7.7-alpine, and its metrics.
func checkFailedDevice(t *testing.T, s *apitest.Server, uuid string) {
	t.Helper()
	var d struct {
		Online       bool
		CurrentState struct {
			Apps    map[string]agent.App
			Metrics map[string]float64
		} `json:"current_state"`
	}
	s.Must(200, "GET", "/api/v1/devices/"+uuid, nil).JSON(t, &d)
	if app := d.CurrentState.Apps["cache"]; !d.Online || app.Image != "docker.io/library/redis:7.7-alpine" ||
		app.Status != "failed" || app.Healthy || d.CurrentState.Metrics["cpu_percent"] <= 0 {
		t.Fatalf("device as the server sees it: %+v", d)
	}
}

func TestRunPrintsSummaryAndStops(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- agent.Run(ctx, fleetConfig(s, 3), &out) }()
		deadline := time.Now().Add(15 * time.Second)
		for {
			var online struct{ Total int }
			s.Must(200, "GET", "/api/v1/devices?online=true", nil).JSON(t, &online)
			if online.Total == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the fleet never came online")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop")
		}
		if !strings.Contains(out.String(), "3 devices │") {
			t.Fatalf("output: %q", out.String())
		}
	})
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	for _, cfg := range []agent.Config{
		{Server: s.URL, Token: apitest.AdminToken, Devices: 0, Image: "redis"},
		{Server: s.URL, Token: apitest.AdminToken, Devices: 1, Image: "Bad Ref"},
		{Server: s.URL, Token: "alk_wrong", Devices: 1, Image: "redis"},
		{Server: s.URL, Devices: 1, Image: "redis"},
	} {
		if _, err := agent.Start(context.Background(), cfg); err == nil {
			t.Errorf("%+v: started", cfg)
		}
	}
}
