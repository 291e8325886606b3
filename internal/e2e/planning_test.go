package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// planFleet is the fleet of the planning tests: 100 devices on
// redis:7.4-alpine, every fifth with a second redis app (so a device's
// apps straddle chunks), every tenth already on 7.5-alpine (it needs
// nothing), sites a and b alternating.
const planFleet = 100

func importPlanFleet(t *testing.T, s *apitest.Server) {
	t.Helper()
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
	var body strings.Builder
	for n := range planFleet {
		tag := "7.4-alpine"
		if n%10 == 9 {
			tag = "7.5-alpine"
		}
		apps := fmt.Sprintf(`"cache": {"image": "redis:%s"}`, tag)
		if n%5 == 0 {
			apps += `, "cache2": {"image": "redis:7.4-alpine"}`
		}
		fmt.Fprintf(&body, `{"uuid": "dev-%03d", "labels": {"site": "%c"}, "target_state": {"apps": {%s}}}`+"\n",
			n, "ab"[n%2], apps)
	}
	if r := s.Admin("POST", "/api/v1/devices/import", body.String()); r.Status != 200 || strings.Contains(string(r.Body), `"error"`) {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
}

// wantedPlan is what a rollout planned whole in the request gives: the
// (device, app) rows that need the push, by device in order, and their
// batches by rollout.Plan.
func wantedPlan(site string, strategy string, size, percent, canary int) map[string]int {
	var uuids []string
	rows := map[string][]string{}
	for n := range planFleet {
		if site != "" && string("ab"[n%2]) != site {
			continue
		}
		uuid := fmt.Sprintf("dev-%03d", n)
		if n%10 != 9 {
			rows[uuid] = append(rows[uuid], "cache")
		}
		if n%5 == 0 {
			rows[uuid] = append(rows[uuid], "cache2")
		}
		if len(rows[uuid]) > 0 {
			uuids = append(uuids, uuid)
		}
	}
	out := map[string]int{}
	for b, batch := range rollout.Plan(uuids, strategy, size, percent, canary) {
		for _, uuid := range batch {
			for _, app := range rows[uuid] {
				out[uuid+"/"+app] = b + 1
			}
		}
	}
	return out
}

// stoppingPlanner is a planner that calls after after each chunk and stops
// where it answers false, as a crash would.
func stoppingPlanner(s *apitest.Server, after func(int64) bool) rollouts.Planner {
	return rollouts.Planner{DB: s.DB, Engine: rollouts.Engine{Log: s.Svc.Log, Plan: s.Svc.Planning}, AfterChunk: after}
}

// plannedRows reads rollout id's rows as device/app → batch, and the rows
// by status.
func plannedRows(t *testing.T, s *apitest.Server, id int64) (map[string]int, map[string]int) {
	t.Helper()
	rows, err := s.DB.QueryStrings(context.Background(), `SELECT device_uuid || '/' || app || '=' || batch || '=' || status
		FROM rollout_devices WHERE rollout_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	batches, statuses := map[string]int{}, map[string]int{}
	for _, r := range rows {
		parts := strings.Split(r, "=")
		var b int
		fmt.Sscan(parts[1], &b)
		batches[parts[0]] = b
		statuses[parts[2]]++
	}
	return batches, statuses
}

func smallPlans(s *service.Service) { s.Planning = rollouts.PlanSettings{InlineMax: 10, Chunk: 7} }

// TestPlanningMatchesInlinePlan: a push over more target apps than are
// planned in the request answers with the rollout planning; the planner
// then gives it the devices and batches an inline plan gives, starts it as
// Create would have (manual waits pending), and writes batch one's target
// states exactly once.
func TestPlanningMatchesInlinePlan(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, site, strategy  string
		size, percent, canary int
		wantStatus            string
	}{
		{"staged_percent", "", rollout.Staged, 0, 30, 0, "in_progress"},
		{"canary_filtered", "a", rollout.Canary, 20, 0, 3, "in_progress"},
		{"immediate", "", rollout.Immediate, 0, 0, 0, "in_progress"},
		{"manual", "b", rollout.Manual, 0, 25, 0, "pending"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, dbURL string) {
				s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
				importPlanFleet(t, s)
				policy := map[string]any{"update_strategy": c.strategy, "batch_size": c.size, "batch_percent": c.percent, "canary_size": c.canary}
				if c.site != "" {
					policy["device_filter"] = map[string]any{"labels": map[string]string{"site": c.site}}
				}
				id := pushPlanning(t, s, policy)
				if err := s.Svc.PlanRollouts(context.Background()); err != nil {
					t.Fatal(err)
				}
				checkPlanned(t, s, id, wantedPlan(c.site, c.strategy, c.size, c.percent, c.canary), c.wantStatus)
			})
		})
	}
}

// pushPlanning pushes redis:7.5-alpine with policy and checks the webhook
// answered with the rollout planning.
func pushPlanning(t *testing.T, s *apitest.Server, policy map[string]any) int64 {
	t.Helper()
	body := map[string]any{"image_pattern": "redis:*", "health_check_timeout_seconds": 30}
	for k, v := range policy {
		body[k] = v
	}
	s.Must(201, "POST", "/api/v1/policies", body)
	var answer struct {
		Rollout *rolloutView `json:"rollout"`
		Reason  string       `json:"reason"`
	}
	s.Must(200, "POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, map[string]any{"image": "docker.io/library/redis:7.5-alpine"}).JSON(t, &answer)
	if answer.Rollout == nil || answer.Rollout.Status != "planning" {
		t.Fatalf("webhook answered %+v (%s), want a planning rollout", answer.Rollout, answer.Reason)
	}
	id := answer.Rollout.ID
	if r := getRollout(t, s, id); r.Status != "planning" || r.TotalBatches != 0 {
		t.Fatalf("webhook's rollout: %+v, want planning", r)
	}
	var planning struct {
		Planning *struct {
			Planned int `json:"planned"`
		} `json:"planning"`
	}
	s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &planning)
	if planning.Planning == nil || planning.Planning.Planned != 0 {
		t.Fatalf("planning progress: %+v", planning.Planning)
	}
	return id
}

func checkPlanned(t *testing.T, s *apitest.Server, id int64, want map[string]int, wantStatus string) {
	t.Helper()
	got, statuses := plannedRows(t, s, id)
	for k, b := range want {
		if got[k] != b {
			t.Errorf("%s: batch %d, want %d", k, got[k], b)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d rows planned, want %d", len(got), len(want))
	}
	r := getRollout(t, s, id)
	batches := slices.Max(slices.Collect(mapValues(want)))
	wantBatch := map[string]int{"in_progress": 1, "pending": 0}[wantStatus]
	if r.Status != wantStatus || r.TotalBatches != batches || r.CurrentBatch != wantBatch {
		t.Fatalf("planned rollout: %+v, want %s with %d batches", r, wantStatus, batches)
	}
	firstRows := 0
	for _, b := range want {
		if b == 1 {
			firstRows++
		}
	}
	if wantStatus == "in_progress" && statuses["updating"] != firstRows {
		t.Errorf("%d rows updating, want batch one's %d (%v)", statuses["updating"], firstRows, statuses)
	}
	checkLaunched(t, s, id, wantStatus == "in_progress")
}

func mapValues(m map[string]int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// checkLaunched: the devices given the image are exactly the updating
// rows, each device's state changed once, and the rollout's start was
// recorded once.
func checkLaunched(t *testing.T, s *apitest.Server, id int64, started bool) {
	t.Helper()
	ctx := context.Background()
	var given, updating, bumped, startedEvents, batchEvents int
	for _, q := range []struct {
		n   *int
		sql string
	}{
		{&given, `SELECT COUNT(*) FROM device_target_apps WHERE image = 'docker.io/library/redis:7.5-alpine'
			AND NOT (device_uuid LIKE 'dev-%9' AND app = 'cache')`},
		{&updating, `SELECT COUNT(*) FROM rollout_devices WHERE status = 'updating' AND rollout_id = ` + fmt.Sprint(id)},
		{&bumped, `SELECT COUNT(*) FROM device_target_state WHERE version > 2`},
		{&startedEvents, `SELECT COUNT(*) FROM events WHERE type = 'image.rollout_started'`},
		{&batchEvents, `SELECT COUNT(*) FROM events WHERE type = 'image.rollout_batch_started'`},
	} {
		if err := s.DB.QueryInt(ctx, q.n, q.sql); err != nil {
			t.Fatal(err)
		}
	}
	wantEvents := map[bool]int{true: 1}[started]
	if given != updating || bumped != 0 || startedEvents != wantEvents || batchEvents != wantEvents {
		t.Errorf("given %d, updating %d, bumped twice %d, started %d, batch_started %d (want %d each)",
			given, updating, bumped, startedEvents, batchEvents, wantEvents)
	}
}

// TestPlanningResumesAfterCrash stops a planner after two chunks, as a
// crash would, and lets another finish: every row is planned once, with
// the batches of a plan made whole, and each device's state written once.
func TestPlanningResumesAfterCrash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
		importPlanFleet(t, s)
		id := pushPlanning(t, s, map[string]any{"update_strategy": rollout.Staged, "batch_percent": 40})
		chunks := 0
		crashing := stoppingPlanner(s, func(int64) bool { chunks++; return chunks < 2 })
		if err := crashing.PlanAll(context.Background()); err == nil {
			t.Fatal("the crashing planner finished")
		}
		var planned int
		if err := s.DB.QueryInt(context.Background(), &planned, `SELECT COUNT(*) FROM rollout_devices`); err != nil || planned == 0 {
			t.Fatalf("%d rows planned before the crash (%v), want some", planned, err)
		}
		var mid rolloutView
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(t, &mid)
		if mid.Status != "planning" {
			t.Fatalf("after the crash: %+v", mid)
		}
		if err := s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkPlanned(t, s, id, wantedPlan("", rollout.Staged, 0, 40, 0), "in_progress")
	})
}

// TestCancelPlanningRollout cancels a rollout mid-plan: planning stops, and
// the devices batch one already gave the image are settled.
func TestCancelPlanningRollout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
		importPlanFleet(t, s)
		id := pushPlanning(t, s, map[string]any{"update_strategy": rollout.Immediate})
		once := stoppingPlanner(s, func(int64) bool { return false })
		once.PlanAll(context.Background())
		s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/cancel", id), map[string]any{"reason": "too big"})
		before, _ := plannedRows(t, s, id)
		if err := s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		after, statuses := plannedRows(t, s, id)
		r := getRollout(t, s, id)
		if r.Status != "cancelled" || len(after) != len(before) || len(after) == 0 || statuses["updating"] != 0 {
			t.Fatalf("cancelled mid-plan: %+v; %d rows then %d, %v", r, len(before), len(after), statuses)
		}
	})
}

// TestPlannedRolloutIsAnalyzed: once a rollout is planned, PostgreSQL's
// statistics of rollout_devices are refreshed, so that the monitor's
// look-ups by primary key are planned as such (AnalyzePlanned).
func TestPlannedRolloutIsAnalyzed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		if !strings.HasPrefix(dbURL, "postgres") {
			t.Skip("SQLite's query planner keeps no statistics")
		}
		s := apitest.Start(t, dbURL, apitest.WithService(smallPlans))
		importPlanFleet(t, s)
		pushPlanning(t, s, map[string]any{"update_strategy": rollout.Immediate})
		if err := s.Svc.PlanRollouts(context.Background()); err != nil {
			t.Fatal(err)
		}
		var estimated float64
		var rows int
		err := s.DB.QueryRow(context.Background(), `SELECT reltuples, (SELECT COUNT(*) FROM rollout_devices) FROM pg_class
			WHERE relname = 'rollout_devices' AND relnamespace = current_schema()::regnamespace`).Scan(&estimated, &rows)
		if err != nil || rows == 0 || estimated != float64(rows) {
			t.Fatalf("rollout_devices holds %d rows, %v by its statistics (%v)", rows, estimated, err)
		}
	})
}
