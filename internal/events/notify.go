package events

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// notifier sends the PostgreSQL NOTIFY that wakes other replicas, off the
// committing goroutine. Commits that come while one is being sent are
// covered by a single next one: it carries only the highest id.
type notifier struct {
	db      Log
	log     *slog.Logger
	pending atomic.Int64 // highest id not yet notified; 0 when none
	running atomic.Bool
}

func (n *notifier) signal(id int64) {
	if !n.db.SharesEvents() {
		return
	}
	for {
		cur := n.pending.Load()
		if id <= cur || n.pending.CompareAndSwap(cur, id) {
			break
		}
	}
	if n.running.CompareAndSwap(false, true) {
		go n.send()
	}
}

func (n *notifier) send() {
	for {
		id := n.pending.Swap(0)
		if id == 0 {
			n.running.Store(false)
			// A signal between the Swap and the Store found running set; take its id.
			if n.pending.Load() == 0 || !n.running.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := n.db.NotifyEvents(ctx, id); err != nil {
			n.log.Debug("notifying other replicas of events", "err", err)
		}
		cancel()
	}
}
