package api_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestConcurrentControlKeepsAPossibleState fires pause, resume and cancel at
// one rollout at once, many times over: every answer is 200 or 409, and the
// rollout ends in a state its machine allows, with one event per change.
func TestConcurrentControlKeepsAPossibleState(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		newSimFleet(t, s, 6, "iotistic/agent:v2.0.0")
		created := s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "iotistic/agent:v2.1.0",
			"update_strategy": "staged", "batch_size": 2}).Map(t)
		path := fmt.Sprintf("/api/v1/rollouts/%d/", int64(created["id"].(float64)))
		ok := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 60 {
			action := []string{"pause", "resume", "cancel"}[i%3]
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do("POST", path+action, apitest.AdminToken, nil)
				if r.Status != 200 && r.Status != 409 {
					t.Errorf("%s: %d %s", action, r.Status, r.Body)
				}
				if r.Status == 200 {
					mu.Lock()
					ok[action]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		r := s.Must(200, "GET", path[:len(path)-1], nil).Map(t)
		if r["status"] != "cancelled" || ok["cancel"] != 1 {
			t.Fatalf("after the storm: status %v, %d cancels answered 200", r["status"], ok["cancel"])
		}
		for action, typ := range map[string]string{"pause": "image.rollout_paused", "resume": "image.rollout_resumed",
			"cancel": "image.rollout_cancelled"} {
			if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = $1`, typ); n != ok[action] {
				t.Errorf("%d %s events for %d answered %s", n, typ, ok[action], action)
			}
		}
		if ok["resume"] > ok["pause"] {
			t.Errorf("%d resumes of %d pauses", ok["resume"], ok["pause"])
		}
	})
}

// TestConcurrentTargetStateWritesLoseNoVersion writes one device's target
// state from many clients at once: every write gets its own version.
func TestConcurrentTargetStateWritesLoseNoVersion(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := newSimFleet(t, s, 1, "redis:7.4-alpine")
		const n = 50
		versions := make(chan int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ts struct{ Version int }
				r := s.Do("PUT", "/api/v1/devices/dev-1/target-state", apitest.AdminToken,
					map[string]any{"apps": map[string]any{"cache": map[string]any{"image": fmt.Sprintf("redis:7.%d", i)}}, "force": true, "reason": "test"})
				if r.Status != 200 {
					t.Errorf("write %d: %d %s", i, r.Status, r.Body)
					return
				}
				r.JSON(t, &ts)
				versions <- ts.Version
			}()
		}
		wg.Wait()
		close(versions)
		seen := map[int]bool{}
		for v := range versions {
			if seen[v] {
				t.Errorf("version %d given twice", v)
			}
			seen[v] = true
		}
		if _, v := f.target("dev-1"); v != n+1 || len(seen) != n {
			t.Fatalf("final version %d after %d writes (%d distinct answers), want %d", v, n, len(seen), n+1)
		}
	})
}
