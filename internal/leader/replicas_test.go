package leader_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestOneLeaderAcrossReplicas: two replicas, each its own store on one
// PostgreSQL schema, renewing at once: exactly one leads at every round;
// when the leader stops renewing (a crash: no release), the other takes
// over once the lease has run out, and not before.
func TestOneLeaderAcrossReplicas(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL only (AIRLOCK_TEST_POSTGRES_URL)")
	}
	url := storetest.URL(t, store.Postgres)
	ctx := context.Background()
	const ttl = 400 * time.Millisecond
	log := slog.New(slog.DiscardHandler)
	a := leader.New(storetest.Open(t, url), "monitor", "a", ttl, log)
	b := leader.New(storetest.Open(t, url), "monitor", "b", ttl, log)
	renewBoth := func() (leads [2]bool) {
		var wg sync.WaitGroup
		for i, l := range []*leader.Lease{a, b} {
			wg.Go(func() {
				ok, err := l.Renew(ctx)
				if err != nil {
					t.Error(err)
				}
				leads[i] = ok
			})
		}
		wg.Wait()
		return leads
	}
	first := renewBoth()
	for range 20 {
		if leads := renewBoth(); leads[0] == leads[1] || leads != first {
			t.Fatalf("renewing together: a leads %v, b leads %v; want exactly one, the same one (first %v)", leads[0], leads[1], first)
		}
	}
	leaderL, other := a, b
	if first[1] {
		leaderL, other = b, a
	}
	stopped := time.Now() // the leader renews no more
	for {
		ok, err := other.Renew(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Since(stopped) > 10*ttl {
			t.Fatal("the other replica never took over")
		}
		time.Sleep(ttl / 10)
	}
	if took := time.Since(stopped); took < ttl*3/4 {
		t.Fatalf("took over %s after the last renewal, before the lease of %s ran out", took, ttl)
	}
	if ok, _ := leaderL.Renew(ctx); ok {
		t.Fatal("the old leader took the lease back from the new one")
	}
}
