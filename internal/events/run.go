package events

import (
	"context"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// run follows the table until ctx ends.
func (h *Hub) run(ctx context.Context, gen int, done chan struct{}, f airlock.EventFollower) {
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(done)
	}()
	if h.db.SharesEvents() {
		wg.Go(func() { h.listen(ctx) })
	}
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	failing := false
	for {
		err := h.catchUp(ctx, gen, f)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			h.log.Warn("event stream: reading events failed; retrying", "err", err)
			failing = true
		case err == nil && failing:
			h.log.Info("event stream: reading events again")
			failing = false
		}
		var recheck <-chan time.Time
		if f.Holding() {
			recheck = time.After(holdRecheck)
		}
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-poll.C:
		case <-recheck:
		}
	}
}

// catchUp publishes every event the follower has for now.
func (h *Hub) catchUp(ctx context.Context, gen int, f airlock.EventFollower) error {
	for {
		evs, err := f.Next(ctx, batch)
		if len(evs) > 0 {
			h.publish(gen, evs)
		}
		if err != nil || len(evs) < batch {
			return err
		}
	}
}

// listen wakes the hub on other replicas' commits, reconnecting with a
// backoff when the connection fails; the poll covers the meantime.
func (h *Hub) listen(ctx context.Context) {
	backoff := time.Second
	for {
		err := h.db.ListenEvents(ctx, func() {
			backoff = time.Second
			h.Wake() // what committed before the LISTEN took hold
		}, h.Wake)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("event stream: listening for other replicas failed; polling meanwhile", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
