// Package settle ends the devices a stopped rollout left pending or in
// flight, as rollout.Settle says, a chunk at a time: inside the caller's
// transaction for a rollout that is finished there or is small, and off
// the request, a chunk per transaction, for a large superseded one. What
// is left to do is exactly the rollout's devices still pending or in
// flight, so a crash loses at most the chunk in flight.
package settle

import (
	"context"
	"errors"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// ErrStopped is what Marked returns when its afterChunk stops it.
var ErrStopped = errors.New("settling stopped")

// All settles r's devices in tx, chunk at a time.
func All(ctx context.Context, tx *store.Tx, r airlock.Rollout, chunk int) error {
	if !rollout.Settles(r.Status) {
		return nil
	}
	var after rolloutdb.DeviceKey
	for {
		more, err := Chunk(ctx, tx, r, &after, chunk)
		if err != nil || !more {
			return err
		}
	}
}

// Superseded settles the devices of o, just superseded in tx, when it has
// at most inline of them, and otherwise marks it for Marked. A rollout
// superseded while planning counts no devices yet, so at most inline+1
// are read here whatever its size.
func Superseded(ctx context.Context, tx *store.Tx, o airlock.Rollout, inline int) error {
	more := o.TotalDevices > inline
	if !more {
		var err error
		if more, err = Chunk(ctx, tx, o, &rolloutdb.DeviceKey{}, inline+1); err != nil {
			return err
		}
	}
	if !more {
		return nil
	}
	return rolloutdb.SetUnsettled(ctx, tx, o.ID, true)
}

// Marked settles every rollout Superseded marked, oldest first, a chunk
// per transaction under the rollout row's lock; the last chunk clears the
// mark. afterChunk, if set, is called after each committed chunk that
// leaves more; returning false stops there (tests use it to crash).
func Marked(ctx context.Context, db *store.DB, chunk int, afterChunk func(id int64) bool) error {
	ids, err := rolloutdb.Unsettled(ctx, db)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := marked(ctx, db, id, chunk, afterChunk); err != nil {
			return err
		}
	}
	return nil
}

func marked(ctx context.Context, db *store.DB, id int64, chunk int, afterChunk func(id int64) bool) error {
	var after rolloutdb.DeviceKey
	for {
		more, next := false, after
		err := db.InTx(ctx, "planner", func(tx *store.Tx) error {
			r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
			if err != nil {
				return err
			}
			if rollout.Settles(r.Status) {
				if more, err = Chunk(ctx, tx, r, &next, chunk); err != nil || more {
					return err
				}
			}
			return rolloutdb.SetUnsettled(ctx, tx, id, false)
		})
		if err != nil || !more {
			return err
		}
		after = next
		if afterChunk != nil && !afterChunk(id) {
			return ErrStopped
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// Chunk settles up to limit of r's devices pending or in flight after the
// key after, which it moves on, and reports whether more may be left.
func Chunk(ctx context.Context, tx *store.Tx, r airlock.Rollout, after *rolloutdb.DeviceKey, limit int) (bool, error) {
	watched, err := rolloutdb.UnsettledDevices(ctx, tx, r.ID, *after, limit)
	if err != nil || len(watched) == 0 {
		return false, err
	}
	devices := make([]rollout.Device, len(watched))
	batches := make(map[string]int, len(watched))
	for i, w := range watched {
		key := w.DeviceUUID + "\x00" + w.App
		devices[i] = rollout.Device{UUID: key, Batch: w.Batch, Status: w.Status, Target: r.Image, UpdatedAt: w.UpdatedAt, Track: w.Track}
		batches[key] = w.Batch
	}
	settled := rollout.Settle(r.Status, devices)
	changes := make([]rolloutdb.Change, len(settled))
	for i, c := range settled {
		uuid, app, _ := strings.Cut(c.UUID, "\x00")
		changes[i] = rolloutdb.Change{DeviceUUID: uuid, App: app, Status: c.Status, Batch: batches[c.UUID], Track: c.Track}
	}
	last := watched[len(watched)-1]
	*after = rolloutdb.DeviceKey{UUID: last.DeviceUUID, App: last.App}
	return len(watched) == limit, rolloutdb.SaveTracking(ctx, tx, r.ID, r.Image, changes)
}
