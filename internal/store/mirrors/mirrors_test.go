package mirrors_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/mirrors"
	"github.com/airlock-iot/airlock/internal/store/releases"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// held stores a release held for mirroring and returns its id.
func held(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), "test", func(tx *store.Tx) error {
		r, err := releases.Insert(context.Background(), tx, release.Release{Registry: "ghcr.io", Namespace: "acme",
			Name: "agent", Tag: "2.0", Digest: digest, Pinned: true, PushedAt: time.Now(), Source: release.SourceWebhook,
			Status: release.StatusHeld, Hold: release.HoldMirroring})
		id = r.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func start(t *testing.T, db *store.DB, id int64, mirror, ref string) mirrors.Copy {
	t.Helper()
	var c mirrors.Copy
	err := db.InTx(context.Background(), "test", func(tx *store.Tx) (err error) {
		c, err = mirrors.Start(context.Background(), tx, id, mirror, ref)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A copy is due until it fails (then at its next attempt) or is verified;
// starting it again to the same reference keeps its progress, to another
// starts it over.
func TestCopyLifecycle(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := held(t, db)
		ref := "mirror.lan/ghcr.io/acme/agent:2.0@" + digest
		if c := start(t, db, id, "mirror.lan", ref); c.State != mirrors.Copying || c.Reference != ref {
			t.Fatalf("started: %+v", c)
		}
		if due, err := mirrors.Due(ctx, db, db.Now(), 10); err != nil || len(due) != 1 {
			t.Fatalf("due: %v %v", due, err)
		}
		p := registry.Progress{BlobsDone: 3, BlobsTotal: 7, BytesDone: 100, BytesTotal: 700, BytesCopied: 90}
		if err := mirrors.SetProgress(ctx, db, id, p); err != nil {
			t.Fatal(err)
		}
		next := db.Now().Add(time.Minute)
		if err := mirrors.Failed(ctx, db, id, "connection refused", next); err != nil {
			t.Fatal(err)
		}
		if due, _ := mirrors.Due(ctx, db, db.Now(), 10); len(due) != 0 {
			t.Fatalf("due before its next attempt: %+v", due)
		}
		due, _ := mirrors.Due(ctx, db, next.Add(time.Second), 10)
		if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "connection refused" ||
			due[0].State != mirrors.Retrying || due[0].Progress != p {
			t.Fatalf("due after backoff: %+v", due)
		}
		if c := start(t, db, id, "mirror.lan", ref); c.Attempts != 1 || c.Progress != p {
			t.Fatalf("the same copy started again lost its state: %+v", c)
		}
		other := "mirror2.lan/ghcr.io/acme/agent:2.0@" + digest
		if c := start(t, db, id, "mirror2.lan", other); c.Attempts != 0 || c.BlobsDone != 0 || c.Reference != other || c.State != mirrors.Copying {
			t.Fatalf("a copy to another mirror did not start over: %+v", c)
		}
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			c, err := mirrors.SetVerified(ctx, tx, id)
			if err == nil && c.State != mirrors.Verified {
				t.Errorf("verified: %+v", c)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if due, _ := mirrors.Due(ctx, db, next.Add(time.Hour), 10); len(due) != 0 {
			t.Fatalf("a verified copy is due: %+v", due)
		}
		rec, err := releases.Get(ctx, db, id)
		if err != nil || rec.Mirror == nil || rec.Mirror.State != mirrors.Verified {
			t.Fatalf("the release shows %+v, %v", rec.Mirror, err)
		}
		if _, err := mirrors.Get(ctx, db, id+1); airlock.ErrorCode(err) != airlock.ENOTFOUND {
			t.Fatalf("no copy: %v", err)
		}
	})
}
