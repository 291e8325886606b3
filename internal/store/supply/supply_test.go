package supply_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	"github.com/airlock-iot/airlock/internal/store/supply"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestRulesRoundTripAndUniqueName(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rules.Rule{Name: "no latest", ImagePattern: "*", Kind: rules.KindTag, Mode: rules.ModeEnforce,
			Tag: &rules.Tag{Deny: []string{"latest"}}}
		var created rules.Rule
		err := db.InTx(ctx, "admin", func(tx *store.Tx) (err error) {
			created, err = supply.CreateRule(ctx, tx, r)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, "admin", func(tx *store.Tx) error { _, err := supply.CreateRule(ctx, tx, r); return err })
		if airlock.ErrorCode(err) != airlock.ECONFLICT {
			t.Fatalf("second rule of the same name: %v, want a conflict", err)
		}
		got, err := supply.Rule(ctx, db, created.ID)
		if err != nil || got.Tag == nil || got.Tag.Deny[0] != "latest" || got.Name != "no latest" {
			t.Fatalf("read back %+v, %v", got, err)
		}
		err = db.InTx(ctx, "admin", func(tx *store.Tx) error { return supply.DeleteRule(ctx, tx, created.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if all, err := supply.Rules(ctx, db); err != nil || len(all) != 0 {
			t.Fatalf("after delete: %v, %v", all, err)
		}
	})
}

func TestLatestScanIsTheNewestByScanTime(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if got, err := supply.LatestScan(ctx, db, digest); got != nil || err != nil {
			t.Fatalf("no report yet: %v, %v", got, err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i, sev := range []string{rules.SeverityCritical, rules.SeverityLow} {
			rep := rules.ScanReport{Scanner: "trivy", Digest: digest, ScannedAt: at.Add(time.Duration(i) * time.Hour),
				Findings: []rules.Finding{{ID: "CVE-2024-1", Severity: sev, Package: "openssl"}}, Counts: map[string]int{sev: 1}}
			if err := db.InTx(ctx, "scanner", func(tx *store.Tx) error { _, err := supply.AddScanReport(ctx, tx, rep); return err }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := supply.LatestScan(ctx, db, digest)
		if err != nil || got.Findings[0].Severity != rules.SeverityLow || !got.ScannedAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("latest %+v, %v", got, err)
		}
	})
}

func TestDecisionsAndExpiry(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		expires := now.Add(time.Hour)
		var req airlock.ApprovalRequest
		err := db.InTx(ctx, "", func(tx *store.Tx) (err error) {
			req, _, err = catalog.RequestApproval(ctx, tx, airlock.ApprovalRequest{Registry: "ghcr.io", Namespace: "acme",
				ImageName: "app", Tag: "1.0", Pusher: "alice", Required: 2, Rule: "two", ExpiresAt: &expires})
			if err != nil {
				return err
			}
			if err := supply.SetWarnAt(ctx, tx, req.ID, expires.Add(-15*time.Minute)); err != nil {
				return err
			}
			req, err = supply.AddDecision(ctx, tx, req.ID, airlock.ApprovalDecision{By: "bob", At: now, Verdict: "approve"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := supply.LatestApproval(ctx, db, "ghcr.io", "acme", "app", digest)
		if err != nil || got.Pusher != "alice" || got.Required != 2 || got.Approvals != 1 || got.Decisions[0].By != "bob" {
			t.Fatalf("request %+v, %v", got, err)
		}
		now = now.Add(50 * time.Minute)
		expire(t, db, 1, 0)
		now = now.Add(10 * time.Minute)
		expire(t, db, 0, 1)
		if got, _ := supply.LatestApproval(ctx, db, "ghcr.io", "acme", "app", ""); got.Status != "expired" {
			t.Fatalf("past its expiry the request is %s", got.Status)
		}
	})
}

// expire warns of requests past their warn_at and expires those past
// their time, checking how many each touched.
func expire(t *testing.T, db *store.DB, warned, expired int) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, "", func(tx *store.Tx) error {
		n, err := supply.WarnExpiring(ctx, tx)
		if err != nil || n != warned {
			t.Errorf("warned %d, %v; want %d", n, err, warned)
		}
		m, err := supply.ExpireApprovals(ctx, tx)
		if err != nil || m != expired {
			t.Errorf("expired %d, %v; want %d", m, err, expired)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
