package crash

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/agent"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

type rolloutView struct {
	Status       string         `json:"status"`
	CurrentBatch int            `json:"current_batch"`
	Counts       map[string]int `json:"counts"`
}

func (s *server) rollout(id int64) rolloutView {
	var r rolloutView
	if st, b := s.call("GET", fmt.Sprintf("/api/v1/rollouts/%d", id), adminToken, ""); st == 200 {
		json.Unmarshal(b, &r)
	}
	return r
}

func (s *server) waitRollout(id int64, what string, ok func(rolloutView) bool) rolloutView {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r := s.rollout(id); ok(r) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("rollout %d never %s: %+v", id, what, s.rollout(id))
	return rolloutView{}
}

// TestKillDuringStagedRollout kills `airlock serve` with SIGKILL while a
// staged rollout is between batches, starts it again on the same database
// and port, and checks that the rollout completes with every device given
// the new image exactly once.
func TestKillDuringStagedRollout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		fast := "AIRLOCK_MONITOR_INTERVAL=50ms"
		s := startServer(t, dbURL, fast)
		port := s.url[len("http://127.0.0.1:"):]
		ctx, cancel := context.WithCancel(context.Background())
		fleet, err := agent.Start(ctx, agent.Config{Server: s.url, Token: adminToken, Devices: 6,
			Image: "redis:7.4-alpine", Interval: 50 * time.Millisecond, PullDelay: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); fleet.Wait() })
		for _, call := range [][2]string{
			{"/api/v1/images", `{"image_name": "redis"}`},
			{"/api/v1/policies", `{"image_pattern": "redis:*", "update_strategy": "staged", "batch_size": 2, "health_check_timeout_seconds": 60}`},
		} {
			if st, b := s.call("POST", call[0], adminToken, call[1]); st != 201 {
				t.Fatalf("POST %s: %d %s", call[0], st, b)
			}
		}
		st, b := s.call("POST", "/api/v1/webhooks/generic?token="+url.QueryEscape(secret), "", `{"image": "redis:7.5-alpine"}`)
		var answer struct{ Rollout *struct{ ID int64 } }
		if json.Unmarshal(b, &answer); st != 200 || answer.Rollout == nil {
			t.Fatalf("push: %d %s", st, b)
		}
		id := answer.Rollout.ID
		s.waitRollout(id, "reached batch 2", func(r rolloutView) bool { return r.CurrentBatch >= 2 })
		s.kill()

		s = startServerOn(t, dbURL, port, fast)
		r := s.waitRollout(id, "finished", func(r rolloutView) bool { return r.Status != "in_progress" && r.Status != "" })
		if r.Status != "completed" || r.Counts["succeeded"] != 6 {
			t.Fatalf("after the restart: %+v", r)
		}
		for _, d := range fleet.Devices() {
			st, b := s.call("GET", "/api/v1/devices/"+d.UUID+"/target-state", d.Key, "")
			var ts struct{ Version int }
			if json.Unmarshal(b, &ts); st != 200 || ts.Version != 2 {
				t.Errorf("device %s: target version %d (status %d), want 2: set once by the agent, once by the rollout", d.UUID, ts.Version, st)
			}
		}
		if n := s.countEvents("image.rollout_batch_started"); n != 3 {
			t.Errorf("%d batches started, want 3", n)
		}
		if n := s.countEvents("image.rollout_completed"); n != 1 {
			t.Errorf("%d rollout_completed events, want 1", n)
		}
	})
}

func (s *server) countEvents(typ string) int {
	st, b := s.call("GET", "/api/v1/events?limit=1000&type="+typ, adminToken, "")
	var list struct{ Items []json.RawMessage }
	if json.Unmarshal(b, &list); st != 200 {
		s.t.Fatalf("events: %d %s", st, b)
	}
	return len(list.Items)
}
