package sessioncache

import (
	"context"
	"time"
)

// Listen holds a connection listening on the sessions channel: it calls
// ready once listening and note with each notification's payload, in
// order, until ctx ends or the connection fails.
type Listen func(ctx context.Context, ready func(), note func(payload string)) error

// Start runs listen in the background, again whenever it fails, until
// Stop; calls after the first do nothing. Until it listens, and whenever
// it does not, nothing is served from cache.
func (s *Shared) Start(listen Listen) {
	if s.started.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil || s.closed {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.done = stop, make(chan struct{})
	s.started.Store(true)
	go s.run(ctx, listen)
}

// Stop ends what Start started and waits for it.
func (s *Shared) Stop() {
	s.mu.Lock()
	s.closed = true
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

func (s *Shared) run(ctx context.Context, listen Listen) {
	defer close(s.done)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		listen(ctx, func() {
			s.Invalidate(nil) // writes made while no one listened went unheard
			s.since.Store(s.now())
			s.listening.Store(true)
			wait = 50 * time.Millisecond
		}, s.notified)
		s.lost()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// lost stops serving from cache: notifications may go unheard now.
func (s *Shared) lost() {
	s.listening.Store(false)
	s.fresh.Store(0)
	s.mu.Lock()
	s.land(s.flight, false)
	s.mu.Unlock()
}
