package releases

import (
	"context"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/leader"
)

// DefaultTick is how often the resolver and poller look for work.
const DefaultTick = 5 * time.Second

const runnerLease = "release-resolver"

// Runner resolves releases that wait for their registry and polls the
// registries that ask for it, on one replica at a time (a lease, as the
// rollout monitor's).
type Runner struct {
	Releases Releases
	Tick     time.Duration // DefaultTick when zero
	Holder   string        // this replica's name in the lease; leader.HolderID() when empty
	// Reevaluate, when set, judges again each round the releases that
	// rules hold: evidence may have arrived, or time passed.
	Reevaluate func(ctx context.Context) error

	mu       sync.Mutex
	lease    *leader.Lease
	lastPoll map[string]time.Time
	stop     func()
}

func (r *Runner) tick() time.Duration {
	if r.Tick > 0 {
		return r.Tick
	}
	return DefaultTick
}

// Start runs a round every Tick until ctx ends or Stop.
func (r *Runner) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	r.mu.Lock()
	holder := r.Holder
	if holder == "" {
		holder = leader.HolderID()
	}
	r.lease = leader.New(r.Releases.DB, runnerLease, holder, max(3*r.tick(), time.Second), r.Releases.Log)
	r.lastPoll = map[string]time.Time{}
	r.stop = func() { cancel(); <-done; r.lease.Release(context.Background()) }
	r.mu.Unlock()
	go func() {
		defer close(done)
		t := time.NewTicker(r.tick())
		defer t.Stop()
		for {
			if err := r.Round(ctx); err != nil && ctx.Err() == nil {
				r.Releases.Log.ErrorContext(ctx, "release resolver round failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop, giving the lease up.
func (r *Runner) Stop() {
	r.mu.Lock()
	stop := r.stop
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Round runs once: the registry clients are brought up to date (on every
// replica, since each resolves its own webhooks' pushes) and, if this
// replica leads, due releases are resolved and due registries polled.
func (r *Runner) Round(ctx context.Context) error {
	s := r.Releases
	if err := s.Clients.Sync(ctx, s.DB); err != nil {
		return err
	}
	if ok, err := r.lease.Renew(ctx); !ok || err != nil {
		return err
	}
	if err := s.ResolveDue(ctx); err != nil {
		return err
	}
	if err := r.mirrorDue(ctx); err != nil {
		return err
	}
	if r.Reevaluate != nil {
		if err := r.Reevaluate(ctx); err != nil {
			return err
		}
	}
	now := time.Now()
	for host, every := range s.Clients.Polled() {
		last := r.lastPoll[host]
		if !last.IsZero() && now.Sub(last) < every {
			continue
		}
		r.lastPoll[host] = now
		if err := s.PollRegistry(ctx, host, last); err != nil {
			s.Log.WarnContext(ctx, "polling a registry failed", "registry", host, "err", err)
		}
	}
	return nil
}

// mirrorDue runs the due copies while keeping the lease: a copy may take
// longer than the lease lasts, and another replica must not start the same
// copy meanwhile. Losing the lease stops the copies.
func (r *Runner) mirrorDue(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(r.tick())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if ok, err := r.lease.Renew(parent); !ok || err != nil {
					cancel()
					return
				}
			}
		}
	})
	err := r.Releases.MirrorDue(ctx)
	cancel()
	wg.Wait()
	return err
}
