package e2e

import (
	"context"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestSupersedeLargeRolloutSettlesOffRequest: a push that plans a large
// rollout answers without touching the old one (whose lock a monitor step
// may hold); the planner supersedes it in the new rollout's first chunk,
// plans the new rollout, then settles the old devices a chunk per transaction,
// resuming after a crash, as rollout.Settle says: pending ones skipped,
// those in flight cancelled.
func TestSupersedeLargeRolloutSettlesOffRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s, old, before := plannedStaged(t, dbURL)
		if before["updating"] == 0 || before["pending"] == 0 {
			t.Fatalf("old rollout before the push: %v, want some updating and some pending", before)
		}

		var answer struct {
			Rollout *rolloutView `json:"rollout"`
		}
		release := holdRollout(t, s, old) // as a monitor step over the old rollout would
		s.Must(200, "POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret,
			map[string]any{"image": "docker.io/library/redis:7.6-alpine"}).JSON(t, &answer)
		release()
		if answer.Rollout == nil || answer.Rollout.Status != "planning" {
			t.Fatalf("webhook answered %+v, want a planning rollout", answer.Rollout)
		}
		_, pushed := plannedRows(t, s, old)
		if r := getRollout(t, s, old); r.Status != "in_progress" || !equalCounts(pushed, before) {
			t.Fatalf("old rollout after the push: %s %v, want untouched %v (superseded by the planner)", r.Status, pushed, before)
		}

		crashing := stoppingPlanner(s, func(id int64) bool { return id != old }) // plans the new rollout whole, then settles one chunk
		if err := crashing.PlanAll(context.Background()); err == nil {
			t.Fatal("the crashing planner finished")
		}
		if r := getRollout(t, s, answer.Rollout.ID); r.Status != "in_progress" {
			t.Fatalf("new rollout after the crash: %+v, want planned before the old one is settled", r)
		}
		if r := getRollout(t, s, old); r.Status != "superseded" {
			t.Fatalf("old rollout after the new one was planned: %s", r.Status)
		}
		_, mid := plannedRows(t, s, old)
		if settled := mid["skipped"] + mid["cancelled"]; settled != s.Svc.Planning.Chunk {
			t.Fatalf("after one chunk: %v, want %d settled", mid, s.Svc.Planning.Chunk)
		}

		if err := s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkSettled(t, s, old, before)
		if r := getRollout(t, s, answer.Rollout.ID); r.Status != "in_progress" {
			t.Fatalf("new rollout: %+v", r)
		}
	})
}

// holdRollout locks rollout id's row on PostgreSQL, in a transaction that
// lasts until release is called; SQLite has one writer, so it holds none.
func holdRollout(t *testing.T, s *apitest.Server, id int64) (release func()) {
	t.Helper()
	if s.DB.Engine != store.Postgres {
		return func() {}
	}
	locked, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		ended <- s.DB.InTx(context.Background(), "test", func(tx *store.Tx) error {
			if _, err := rolloutdb.RolloutForUpdate(context.Background(), tx, id); err != nil {
				return err
			}
			close(locked)
			<-done
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-ended:
		t.Fatalf("lock rollout %d: %v", id, err)
	}
	return func() {
		close(done)
		if err := <-ended; err != nil {
			t.Fatal(err)
		}
	}
}

// checkSettled: rollout id's devices pending before are skipped, those
// updating cancelled, each with rollout.Settle's reason, and the rollout
// is no longer marked for settling.
func checkSettled(t *testing.T, s *apitest.Server, id int64, before map[string]int) {
	t.Helper()
	rows, err := s.DB.QueryStrings(context.Background(), `SELECT status || '=' || error FROM rollout_devices
		WHERE rollout_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"skipped=not updated: a newer rollout superseded this one before its batch":   before["pending"],
		"cancelled=a newer rollout superseded this one while the device was updating": before["updating"],
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r]++
	}
	if !equalCounts(got, want) {
		t.Errorf("settled devices: %v, want %v", got, want)
	}
	var marked int
	if err := s.DB.QueryInt(context.Background(), &marked, `SELECT COUNT(*) FROM image_update_rollouts WHERE unsettled`); err != nil || marked != 0 {
		t.Errorf("%d rollouts still marked unsettled (%v)", marked, err)
	}
}

// plannedStaged starts a server over the plan fleet with a staged rollout
// planned whole, and gives its id and its devices' statuses.
func plannedStaged(t *testing.T, dbURL string) (*apitest.Server, int64, map[string]int) {
	s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
	importPlanFleet(t, s)
	old := pushPlanning(t, s, map[string]any{"update_strategy": rollout.Staged, "batch_percent": 40})
	if err := s.Svc.PlanRollouts(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, before := plannedRows(t, s, old)
	return s, old, before
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestSupersedeSmallRolloutSettlesAtOnce: a superseded rollout within the
// inline limit is settled in the transaction that supersedes it: when the
// new rollout is left to the planner, its first chunk's.
func TestSupersedeSmallRolloutSettlesAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
		importPlanFleet(t, s)
		old := pushPlanning(t, s, map[string]any{"update_strategy": rollout.Staged, "batch_percent": 40,
			"device_filter": map[string]any{"labels": map[string]string{"site": "a"}}})
		if err := s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Shrink the old rollout below the limit, as a small fleet's would be.
		if _, err := s.DB.Exec(context.Background(), `DELETE FROM rollout_devices WHERE rollout_id = $1
			AND device_uuid > 'dev-010'`, old); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.Exec(context.Background(), `UPDATE image_update_rollouts SET total_devices =
			(SELECT COUNT(*) FROM rollout_devices WHERE rollout_id = $1) WHERE id = $1`, old); err != nil {
			t.Fatal(err)
		}
		_, before := plannedRows(t, s, old)
		s.Must(200, "POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret,
			map[string]any{"image": "docker.io/library/redis:7.6-alpine"})
		steps := 0 // the count, then the first chunk
		crashing := stoppingPlanner(s, func(int64) bool { steps++; return steps < 2 })
		if err := crashing.PlanAll(context.Background()); err == nil {
			t.Fatal("the crashing planner finished")
		}
		checkSettled(t, s, old, before)
		if r := getRollout(t, s, old); r.Status != "superseded" {
			t.Fatalf("old rollout: %+v", r)
		}
	})
}

// TestPushDuringSettleIsPlannedFirst: a push that arrives while the planner
// settles a large superseded rollout is planned after the chunk in flight,
// before the rest of the settle, which then resumes to the end.
func TestPushDuringSettleIsPlannedFirst(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s, old, before := plannedStaged(t, dbURL)
		var second, third struct {
			Rollout *rolloutView `json:"rollout"`
		}
		s.Must(200, "POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret,
			map[string]any{"image": "docker.io/library/redis:7.6-alpine"}).JSON(t, &second)
		var order []int64
		left := -1 // the old rollout's devices left to settle when the third push is planned
		planner := stoppingPlanner(s, func(id int64) bool {
			order = append(order, id)
			switch {
			case id == old && third.Rollout == nil:
				s.Must(200, "POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret,
					map[string]any{"image": "docker.io/library/redis:7.7-alpine"}).JSON(t, &third)
			case third.Rollout != nil && id == third.Rollout.ID && left < 0:
				_, mid := plannedRows(t, s, old)
				left = mid["pending"] + mid["updating"]
			}
			return true
		})
		if err := planner.PlanAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if third.Rollout == nil || left <= 0 {
			t.Fatalf("chunks %v: the push during the settle was planned with %d of the old rollout's devices left, want some", order, left)
		}
		if r := getRollout(t, s, third.Rollout.ID); r.Status != "in_progress" {
			t.Fatalf("rollout of the push during the settle: %+v", r)
		}
		checkSettled(t, s, old, before)
	})
}
