package rollouts

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/service/settle"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Planner plans the rollouts Create recorded as planning, a chunk per
// transaction. Its progress lives on the rollout's row, read under the
// row's lock in each transaction, so planners racing on one rollout (two
// servers, or a restart) each plan a different chunk or none, and a crash
// loses at most the chunk in flight.
type Planner struct {
	DB     *store.DB
	Engine Engine
	// AfterChunk, if set, is called after each committed chunk; returning
	// false stops the planner there (tests use it to crash mid-plan).
	AfterChunk func(id int64) bool
}

// errStopped is AfterChunk's stop.
var errStopped = errors.New("planner stopped")

// Step plans the next chunk of rollout id and reports whether it is still
// planning. The first step of a rollout whose batches are sized by its
// fleet counts the fleet first, streaming, outside any write transaction.
func (p Planner) Step(ctx context.Context, id int64) (more bool, err error) {
	var count *airlock.Rollout
	err = p.DB.InTx(ctx, "planner", func(tx *store.Tx) error {
		r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
		if err != nil || r.Status != rollout.StatusPlanning {
			return err
		}
		st, err := rolloutdb.LoadPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.Estimated == nil {
			if rollout.NeedsCount(r.UpdateStrategy, r.BatchSize, r.BatchPercent) {
				count, more = &r, true
				return nil
			}
			n, err := fleet.CountTargetDevices(ctx, tx, repository(r))
			if err != nil {
				return err
			}
			st.Estimated = &n
		}
		more, err = p.Engine.planChunk(ctx, tx, r, &st)
		return err
	})
	if err == nil && count != nil {
		err = p.count(ctx, *count)
	}
	return more, err
}

// count counts the devices that need r's image, streaming the fleet, and
// stores the count batches are sized by. Devices that join or leave before
// their chunk is planned change the count no more: the last batch absorbs
// the difference (rollout.BatchOf), or there are fewer batches.
func (p Planner) count(ctx context.Context, r airlock.Rollout) error {
	var st rolloutdb.PlanState
	err := p.DB.InTx(ctx, "planner", func(tx *store.Tx) error {
		var err error
		st, err = rolloutdb.LoadPlan(ctx, tx, r.ID)
		return err
	})
	if err != nil {
		return err
	}
	need, n, last := newNeed(st.Filter, pushed(r)), 0, ""
	err = fleet.EachTargetApp(ctx, p.DB, repository(r), func(a fleet.TargetApp) error {
		if a.DeviceUUID != last && need.ok(a) {
			n, last = n+1, a.DeviceUUID
		}
		return nil
	})
	if err != nil {
		return err
	}
	return p.DB.InTx(ctx, "planner", func(tx *store.Tx) error {
		if _, err := rolloutdb.RolloutForUpdate(ctx, tx, r.ID); err != nil {
			return err
		}
		st, err := rolloutdb.LoadPlan(ctx, tx, r.ID)
		if err != nil || st.Estimated != nil {
			return err
		}
		st.Estimated = &n
		return rolloutdb.SavePlan(ctx, tx, r.ID, st)
	})
}

// Plan plans rollout id to the end, a chunk per transaction, unless ctx
// ends or AfterChunk stops it.
func (p Planner) Plan(ctx context.Context, id int64) error {
	for {
		more, err := p.Step(ctx, id)
		if err != nil {
			return err
		}
		if !more {
			return rolloutdb.AnalyzePlanned(ctx, p.DB)
		}
		if p.AfterChunk != nil && !p.AfterChunk(id) {
			return errStopped
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// PlanAll plans every planning rollout, oldest first, then settles the
// superseded rollouts left to it: the devices' new target states come
// before the old rollout's bookkeeping, which nothing acts on meanwhile.
// A rollout created meanwhile is planned after the settle's chunk in flight.
func (p Planner) PlanAll(ctx context.Context) error {
	for {
		ids, err := rolloutdb.PlanningRollouts(ctx, p.DB)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := p.Plan(ctx, id); err != nil {
				return err
			}
		}
		pushed := false
		err = settle.Marked(ctx, p.DB, p.Engine.Plan.chunk(), func(id int64) bool {
			ids, err := rolloutdb.PlanningRollouts(ctx, p.DB)
			pushed = err == nil && len(ids) > 0
			return !pushed && (p.AfterChunk == nil || p.AfterChunk(id))
		})
		if !pushed {
			return err
		}
	}
}

// Run plans and settles whenever a rollout is created planning or one is
// superseded (the commit's event kicks it) and every interval, which
// resumes what a crash or a failed chunk left, until ctx ends.
func (p Planner) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	kick := make(chan struct{}, 1)
	p.DB.OnCommit(func(events []airlock.Event) {
		if plannerWork(events) {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := p.PlanAll(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "rollout planning failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
	}
}

// plannerWork reports whether events record a rollout created planning,
// or one superseded, which may be left to the planner to settle.
func plannerWork(events []airlock.Event) bool {
	for _, ev := range events {
		var created struct {
			Status string `json:"status"`
		}
		if ev.Type == "image.rollout_superseded" || ev.Type == "image.rollout_created" &&
			json.Unmarshal(ev.Payload, &created) == nil && created.Status == rollout.StatusPlanning {
			return true
		}
	}
	return false
}
