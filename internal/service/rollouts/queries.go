package rollouts

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Queries read rollouts for the API, every status present in their counts.
type Queries struct{ DB *store.DB }

// Rollout returns a rollout with its device counts by status, every status
// present, overall and per batch.
func (q Queries) Rollout(ctx context.Context, id int64) (airlock.Rollout, error) {
	r, err := rolloutdb.Rollout(ctx, q.DB, id)
	if err != nil {
		return r, err
	}
	r.Counts = allStatuses(r.Counts)
	for i := range r.Batches {
		r.Batches[i].Counts = allStatuses(r.Batches[i].Counts)
	}
	if r.Batches == nil {
		r.Batches = []airlock.BatchCounts{}
	}
	times, err := rolloutdb.BatchTimes(ctx, q.DB, id)
	for b := 1; b <= r.TotalBatches; b++ {
		t := times[b]
		t.Batch = b
		t.Status = rollout.BatchStatus(b, r.Status, r.CurrentBatch, r.BatchDoneAt != nil)
		r.BatchTimes = append(r.BatchTimes, t)
	}
	return r, err
}

var deviceStatuses, rolloutStatuses = rollout.DeviceStatuses, rollout.Statuses

func allStatuses(counts map[string]int) map[string]int {
	out := make(map[string]int, len(deviceStatuses))
	for _, st := range deviceStatuses {
		out[st] = counts[st]
	}
	return out
}

// Rollouts lists rollouts, newest first.
func (q Queries) Rollouts(ctx context.Context, f airlock.RolloutFilter) (airlock.Page[airlock.Rollout], error) {
	var page airlock.Page[airlock.Rollout]
	if err := checkRolloutFilter(&f); err != nil {
		return page, err
	}
	page, err := rolloutdb.Rollouts(ctx, q.DB, f)
	for i := range page.Items {
		page.Items[i].Counts = allStatuses(page.Items[i].Counts)
	}
	return page, err
}

func checkRolloutFilter(f *airlock.RolloutFilter) error {
	for _, st := range strings.Split(f.Status, ",") {
		if f.Status != "" && !slices.Contains(rollout.Statuses, st) {
			return airlock.FieldErrorf("status", "unknown rollout status %q", st)
		}
	}
	switch {
	case f.Sort != "" && f.Sort != "created" && f.Sort != "-created":
		return airlock.FieldErrorf("sort", "want -created (newest first) or created, got %q", f.Sort)
	case len(f.Q) > 200:
		return airlock.FieldErrorf("q", "must be at most 200 characters")
	}
	if f.Image != "" {
		ref, err := imageref.Parse(f.Image)
		if err != nil {
			return airlock.FieldErrorf("image", "%s", airlock.ErrorMessage(err))
		}
		f.Image = ref.Repository()
	}
	return nil
}

// RolloutDevices lists the devices of rollout id.
func (q Queries) RolloutDevices(ctx context.Context, id int64, f airlock.RolloutDeviceFilter) (airlock.Page[airlock.RolloutDevice], error) {
	if f.Status != "" && !slices.Contains(deviceStatuses, f.Status) {
		return airlock.Page[airlock.RolloutDevice]{}, airlock.FieldErrorf("status", "unknown device status %q", f.Status)
	}
	if _, err := rolloutdb.Rollout(ctx, q.DB, id); err != nil {
		return airlock.Page[airlock.RolloutDevice]{}, err
	}
	return rolloutdb.RolloutDevices(ctx, q.DB, id, f)
}

// PollAfter is the poll_after_seconds of device uuid's next target-state
// answer: sooner while it takes part in an active batch, with jitter.
func (q Queries) PollAfter(ctx context.Context, uuid string) (int, error) {
	active, err := rolloutdb.DeviceActive(ctx, q.DB, uuid)
	return rollout.PollAfter(0, 0, active, rand.Float64()), err
}
