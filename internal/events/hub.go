// Package events fans committed events out to live subscribers (the SSE
// stream). The events table is the truth: the hub follows it in id order,
// woken at once by commits of this process, by PostgreSQL NOTIFY for
// commits of other replicas, and by a poll for anything either missed.
package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const (
	// pollEvery is the fallback when no wake-up comes.
	pollEvery = time.Second
	// holdRecheck is how soon to look again while events wait behind a missing id.
	holdRecheck = 100 * time.Millisecond
	batch       = 500
)

// Hub hands events to subscribers. It follows the table only while
// someone is subscribed.
type Hub struct {
	db       Log
	log      *slog.Logger
	wake     chan struct{}
	notifier notifier
	now      func() time.Time

	mu        sync.Mutex
	subs      map[*Sub]struct{}
	published int64 // the last event handed to subscribers
	gen       int   // which run of the loop may publish
	stop      context.CancelFunc
	done      chan struct{}
	closed    bool
}

// NewHub builds a hub over db. It registers a commit listener, so call it
// before serving.
func NewHub(db Log, log *slog.Logger) *Hub {
	h := &Hub{db: db, log: log, wake: make(chan struct{}, 1), subs: map[*Sub]struct{}{}, now: time.Now}
	h.notifier = notifier{db: db, log: log}
	db.OnCommit(h.committed)
	return h
}

// committed runs on the committing goroutine, so it never blocks: a
// wake-up that finds one pending is dropped, the pending one covers it.
func (h *Hub) committed(evs []airlock.Event) {
	if len(evs) == 0 {
		return
	}
	h.Wake()
	h.notifier.signal(evs[len(evs)-1].ID)
}

// SetClock replaces the clock that measures how far subscribers lag (tests).
func (h *Hub) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

// Wake makes the hub look at the table now.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Clients is the number of subscribers.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Subscribe adds a subscriber, starting to follow the table if it is the first.
func (h *Hub) Subscribe(ctx context.Context) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, airlock.Errorf(airlock.EUNAVAILABLE, "the server is shutting down")
	}
	if h.stop == nil {
		last, err := h.db.LastEventID(ctx)
		if err != nil {
			return nil, err
		}
		h.start(last)
	}
	sub := newSub(h.published)
	h.subs[sub] = struct{}{}
	return sub, nil
}

// Unsubscribe removes sub; the last one leaving stops the following.
func (h *Hub) Unsubscribe(sub *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(sub)
}

// Close ends every subscription and waits for the hub to stop following.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	for sub := range h.subs {
		h.remove(sub)
	}
	done := h.done
	h.mu.Unlock()
	if done != nil {
		<-done
	}
}

// remove drops sub and stops the loop when nobody is left. h.mu is held.
func (h *Hub) remove(sub *Sub) {
	if _, ok := h.subs[sub]; !ok {
		return
	}
	delete(h.subs, sub)
	sub.close()
	if len(h.subs) == 0 && h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// start runs the loop from event id last. h.mu is held.
func (h *Hub) start(last int64) {
	ctx, cancel := context.WithCancel(context.Background())
	h.gen++
	h.published, h.stop, h.done = last, cancel, make(chan struct{})
	go h.run(ctx, h.gen, h.done, h.db.Follow(last))
}

// publish hands evs to every subscriber, dropping any that lags.
func (h *Hub) publish(gen int, evs []airlock.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen != h.gen || h.stop == nil {
		return // a stopped loop's last read
	}
	h.published = evs[len(evs)-1].ID
	now := h.now()
	for sub := range h.subs {
		if !sub.offer(evs, now) {
			h.log.Warn("event stream subscriber too slow; dropped", "max_lag", MaxLag)
			h.remove(sub)
		}
	}
}
