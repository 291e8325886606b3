package approvals_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/audit"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
)

// TestSweepingExpiresWithNobodyLooking: the background sweep warns of a
// request in the last quarter of its 30 minutes, then expires it, each once.
func TestSweepingExpiresWithNobodyLooking(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := make(chan time.Time, 1)
		now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
		clock <- now
		db.SetClock(func() time.Time { t := <-clock; clock <- t; return t })
		_, err := (supply.Rules{DB: db}).Create(ctx, "admin", rules.Rule{Name: "quick", ImagePattern: "ghcr.io/acme/*",
			Kind: rules.KindApprovals, Approvals: &rules.Approvals{ExpiresAfter: "30m"}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, "", func(tx *store.Tx) error {
			_, _, err := approvals.Raise(ctx, tx, airlock.ApprovalRequest{Registry: "ghcr.io", Namespace: "acme",
				ImageName: "app", Tag: "v1", Pusher: "alice", Digest: "sha256:" + strings.Repeat("c", 64)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		stop := approvals.Sweeping(ctx, db, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
		defer stop()
		<-clock
		clock <- now.Add(25 * time.Minute)
		waitFor(t, db, "image.approval_expiring")
		<-clock
		clock <- now.Add(31 * time.Minute)
		waitFor(t, db, "image.approval_expired")
		a, err := supplydb.LatestApproval(ctx, db, "ghcr.io", "acme", "app", "")
		if err != nil || a.Status != rules.StatusExpired || a.Rule != "quick" || a.Digest != "" {
			t.Fatalf("request %+v, %v", a, err)
		}
	})
}

func waitFor(t *testing.T, db *store.DB, typ string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		page, err := audit.List(context.Background(), db, airlock.EventFilter{Type: typ, Limit: 10})
		evs := page.Items
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1 {
			return
		}
		if len(evs) > 1 {
			t.Fatalf("%d %s events, want 1", len(evs), typ)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s event", typ)
}
