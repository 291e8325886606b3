package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// Clearing a rolled-back release's known-bad hold with deploy rolls the
// same content out again, as a new rollout; without deploy it only lifts
// the hold.
func TestClearReleaseDeploysAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithMonitor(tickEvery))
		broken := true
		f := newSimDevices(t, s, 2, func(_, _ string, _ time.Duration) map[string]any {
			if broken {
				return map[string]any{"status": "failed", "message": "boom"}
			}
			return healthy()
		})
		first := pushRedis(t, s, nil)
		f.until(t, first, "rolled back", func(r rolloutView) bool { return r.Status == "rolled_back" })
		var rels struct {
			Items []struct {
				ID     int64
				Status string
			}
		}
		s.Must(200, "GET", "/api/v1/releases?image=redis&tag=7.5-alpine", nil).JSON(t, &rels)
		if len(rels.Items) != 1 || rels.Items[0].Status != "known_bad" {
			t.Fatalf("releases after the rollback: %+v", rels.Items)
		}
		path := fmt.Sprintf("/api/v1/releases/%d/clear", rels.Items[0].ID)
		if r := s.Do("POST", path, s.Token("approver"), nil); r.Status != 403 {
			t.Fatalf("an approver cleared: %d", r.Status)
		}
		broken = false
		var out struct {
			WasHeld  bool `json:"was_held"`
			Deployed *struct {
				Rollout *rolloutView `json:"rollout"`
				Reason  string       `json:"reason"`
			} `json:"deployed"`
		}
		s.Must(200, "POST", path, map[string]any{"deploy": true}).JSON(t, &out)
		if !out.WasHeld || out.Deployed == nil || out.Deployed.Rollout == nil || out.Deployed.Rollout.ID == first {
			t.Fatalf("cleared: %+v", out)
		}
		f.until(t, out.Deployed.Rollout.ID, "completed", func(r rolloutView) bool { return r.Status == "completed" })
		out.WasHeld, out.Deployed = true, nil
		s.Must(200, "POST", path, nil).JSON(t, &out)
		if out.WasHeld || out.Deployed != nil {
			t.Fatalf("cleared again: %+v", out)
		}
	})
}
