package leader_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestOneLeaderAtATime: of two replicas claiming one lease, one leads;
// the other takes over as soon as the first releases it, and a lease is
// per name.
func TestOneLeaderAtATime(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := slog.New(slog.DiscardHandler)
		a := leader.New(db, "job", "a", time.Minute, log)
		b := leader.New(db, "job", "b", time.Minute, log)
		other := leader.New(db, "other-job", "b", time.Minute, log)
		renew := func(l *leader.Lease) bool {
			t.Helper()
			ok, err := l.Renew(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !renew(a) || renew(b) || !renew(a) || !a.Leader() || b.Leader() {
			t.Fatalf("a then b: a leads %v, b leads %v; want a only", a.Leader(), b.Leader())
		}
		if !renew(other) {
			t.Fatal("another lease's holder does not lead its own job")
		}
		a.Release(ctx)
		if a.Leader() || !renew(b) || renew(a) {
			t.Fatalf("after a released: a leads %v, b leads %v; want b only", a.Leader(), b.Leader())
		}
		if holder, _, err := db.LeaseHolder(ctx, "job"); err != nil || holder != "b" {
			t.Fatalf("holder %q, %v; want b", holder, err)
		}
	})
}
