// Package batch coalesces concurrent lookups by key into one query. A
// lookup waits while a worker is busy; a worker that frees up takes every
// lookup waiting, up to a bound, and answers them with one query. Under
// load the database sees one round trip for many lookups; idle, a lookup
// is one query as before. Every lookup is answered by a query that began
// after the lookup did, so nothing it reads is older than the lookup.
package batch

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Fetch looks keys up; a key missing from the map was not found.
type Fetch[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// Batcher runs lookups through Fetch in batches.
type Batcher[K comparable, V any] struct {
	fetch   Fetch[K, V]
	max     int
	timeout time.Duration
	reqs    chan request[K, V]
	done    chan struct{}
	closing sync.Once
	wg      sync.WaitGroup
}

// ErrClosed answers a lookup made after Close.
var ErrClosed = errors.New("batch: closed")

type request[K comparable, V any] struct {
	key K
	out chan result[V]
}

type result[V any] struct {
	v   V
	ok  bool
	err error
}

// New starts workers that each run batches of at most max keys, each
// fetch bounded by timeout.
func New[K comparable, V any](workers, max int, timeout time.Duration, fetch Fetch[K, V]) *Batcher[K, V] {
	b := &Batcher[K, V]{fetch: fetch, max: max, timeout: timeout, reqs: make(chan request[K, V]), done: make(chan struct{})}
	for range workers {
		b.wg.Go(b.run)
	}
	return b
}

func (b *Batcher[K, V]) run() {
	for {
		var batch []request[K, V]
		select {
		case r := <-b.reqs:
			batch = append(batch, r)
		case <-b.done:
			return
		}
	more:
		for len(batch) < b.max {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		b.answer(batch)
	}
}

func (b *Batcher[K, V]) answer(batch []request[K, V]) {
	keys := make([]K, len(batch))
	for i, r := range batch {
		keys[i] = r.key
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	got, err := b.fetch(ctx, keys)
	cancel()
	for _, r := range batch {
		v, ok := got[r.key]
		r.out <- result[V]{v, ok, err}
	}
}

// Get looks key up with the next batch. ok is false when it was not found.
func (b *Batcher[K, V]) Get(ctx context.Context, key K) (v V, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return v, false, err
	}
	out := make(chan result[V], 1) // a worker never blocks on a caller gone
	select {
	case b.reqs <- request[K, V]{key, out}:
	case <-b.done:
		return v, false, ErrClosed
	case <-ctx.Done():
		return v, false, ctx.Err()
	}
	select {
	case r := <-out:
		return r.v, r.ok, r.err
	case <-ctx.Done():
		return v, false, ctx.Err()
	}
}

// Close stops the workers once they finish their batches; later calls do nothing.
func (b *Batcher[K, V]) Close() {
	b.closing.Do(func() { close(b.done) })
	b.wg.Wait()
}
