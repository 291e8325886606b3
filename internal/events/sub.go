package events

import (
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const (
	// MaxLag is how long an event may wait for a subscriber: one that
	// falls further behind than that is dropped. A burst, however large,
	// never drops a subscriber that keeps reading.
	MaxLag = 30 * time.Second
	// maxQueued bounds one subscriber's memory whatever the clock says.
	maxQueued = 100_000
)

// Sub is one subscriber. Events with ids above From are queued for it, in
// order; those up to From are in the table. Ready is signalled when events
// are queued or the subscriber is dropped; Take collects them.
type Sub struct {
	From  int64
	Ready <-chan struct{}

	ready  chan struct{}
	mu     sync.Mutex
	queue  []airlock.Event
	since  time.Time // when the oldest queued event was queued
	closed bool
}

func newSub(from int64) *Sub {
	ready := make(chan struct{}, 1)
	return &Sub{From: from, Ready: ready, ready: ready}
}

// Take returns the queued events; ok is false once the subscriber has been
// dropped (it fell behind, or the hub closed) and nothing more will come.
func (s *Sub) Take() (evs []airlock.Event, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	evs, s.queue = s.queue, nil
	return evs, true
}

// offer queues evs at now, or reports false when the subscriber lags: its
// oldest event has waited MaxLag, or its queue would pass maxQueued.
func (s *Sub) offer(evs []airlock.Event, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 && now.Sub(s.since) >= MaxLag || len(s.queue)+len(evs) > maxQueued {
		return false
	}
	if len(s.queue) == 0 {
		s.since = now
	}
	s.queue = append(s.queue, evs...)
	s.signal()
	return true
}

func (s *Sub) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed, s.queue = true, nil
	s.signal()
}

func (s *Sub) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}
