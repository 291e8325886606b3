package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	"github.com/airlock-iot/airlock/internal/store/tokens"
)

// Several replicas starting at once on one PostgreSQL take turns through
// goose's session lock. SQLite is one process's embedded file, so there the
// test checks only that a second run applies nothing.
func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		replicas := 4
		if strings.HasPrefix(dbURL, "sqlite:") {
			replicas = 1
		}
		var wg sync.WaitGroup
		errs := make([]error, replicas)
		for i := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, dbURL)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				_, errs[i] = db.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("replica %d: %v", i, err)
			}
		}
		db := storetest.Open(t, dbURL)
		if n, err := db.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
		}
		if err := db.SchemaCurrent(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTokenSecretIsNeverStored(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const secret = "alk_very-secret-value"
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			_, err := tokens.CreateToken(ctx, tx, "ci", airlock.RoleViewer, secret)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryStrings(ctx, `SELECT token_hash FROM api_tokens UNION ALL SELECT payload FROM events`)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(r, secret) {
				t.Fatalf("secret stored in %q", r)
			}
		}
		tok, err := tokens.TokenBySecret(ctx, db, secret)
		if err != nil || tok.Name != "ci" {
			t.Fatalf("lookup by secret: %+v, %v", tok, err)
		}
		if _, err := tokens.TokenBySecret(ctx, db, secret+"x"); airlock.ErrorCode(err) != airlock.ENOTFOUND {
			t.Fatalf("wrong secret: %v", err)
		}
	})
}

func TestFailedTransactionLeavesNothing(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			if _, err := catalog.CreateImage(ctx, tx, airlock.Image{Registry: "docker.io", Namespace: "library",
				ImageName: "redis", ApprovalStatus: airlock.StatusApproved}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var n int
		if err := db.QueryInt(ctx, &n, `SELECT (SELECT COUNT(*) FROM images) + (SELECT COUNT(*) FROM events)`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rows left after rollback", n)
		}
	})
}

func TestDuplicateImageIsConflict(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		img := airlock.Image{Registry: "docker.io", Namespace: "library", ImageName: "redis", ApprovalStatus: airlock.StatusApproved}
		create := func() error {
			return db.InTx(ctx, "test", func(tx *store.Tx) error {
				_, err := catalog.CreateImage(ctx, tx, img)
				return err
			})
		}
		if err := create(); err != nil {
			t.Fatal(err)
		}
		if err := create(); airlock.ErrorCode(err) != airlock.ECONFLICT {
			t.Fatalf("duplicate: %v", err)
		}
	})
}

// TestLongReadIsNotSilence: a result read over longer than the database's
// silence limit (4 s), row by row as a monitor step decodes a large
// rollout, is read to its end: each row read is the database answering.
func TestLongReadIsNotSilence(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		t.Parallel()
		db := storetest.Open(t, dbURL)
		rows, err := db.Query(context.Background(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
			SELECT i FROM n`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		read := 0
		for rows.Next() {
			read++
			time.Sleep(10 * time.Millisecond) // 5 s in all
		}
		if err := rows.Err(); err != nil || read != 500 {
			t.Fatalf("read %d of 500 rows: %v", read, err)
		}
	})
}
