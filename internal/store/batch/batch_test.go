package batch_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store/batch"
)

// TestLookupsWaitingShareAQuery: while the one worker is busy, lookups
// queue; the next query answers all of them, each with its own key.
func TestLookupsWaitingShareAQuery(t *testing.T) {
	var queries atomic.Int64
	release := make(chan struct{})
	b := batch.New(1, 100, time.Second, func(_ context.Context, keys []int) (map[int]int, error) {
		if queries.Add(1) == 1 {
			<-release // the first query holds the worker
		}
		out := map[int]int{}
		for _, k := range keys {
			if k != 13 {
				out[k] = k * 2
			}
		}
		return out, nil
	})
	defer b.Close()
	var wg sync.WaitGroup
	wg.Go(func() { b.Get(context.Background(), 0) })
	for queries.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	results := make([]int, 20)
	found := make([]bool, 20)
	for i := 1; i < 20; i++ {
		wg.Go(func() {
			v, ok, err := b.Get(context.Background(), i)
			if err != nil {
				t.Error(err)
			}
			results[i], found[i] = v, ok
		})
	}
	time.Sleep(50 * time.Millisecond) // the nineteen queue behind the first query
	close(release)
	wg.Wait()
	if n := queries.Load(); n != 2 {
		t.Fatalf("%d queries for 20 lookups, 19 of them waiting together: want 2", n)
	}
	for i := 1; i < 20; i++ {
		if found[i] != (i != 13) || (i != 13 && results[i] != 2*i) {
			t.Errorf("key %d: %d, %v", i, results[i], found[i])
		}
	}
}

func TestAFailedQueryFailsItsLookups(t *testing.T) {
	boom := errors.New("boom")
	b := batch.New(2, 10, time.Second, func(context.Context, []string) (map[string]int, error) { return nil, boom })
	defer b.Close()
	if _, ok, err := b.Get(context.Background(), "k"); ok || !errors.Is(err, boom) {
		t.Fatalf("got %v, %v", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := b.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled lookup: %v", err)
	}
	b.Close()
	b.Close()
	if _, _, err := b.Get(context.Background(), "k"); !errors.Is(err, batch.ErrClosed) {
		t.Fatalf("a lookup after Close: %v", err)
	}
}
