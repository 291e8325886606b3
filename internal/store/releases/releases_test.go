package releases_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/releases"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func redis(tag string) release.Release {
	return release.Release{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: tag,
		PushedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Source: release.SourceWebhook, Status: release.StatusReady}
}

func TestReleaseRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := redis("7.6")
		r.Digest, r.Pinned, r.MediaType = digest, true, "application/vnd.oci.image.index.v1+json"
		r.Platforms = []platform.Platform{platform.MustParse("linux/amd64"), platform.MustParse("linux/arm/v7")}
		var id int64
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			got, err := releases.Insert(ctx, tx, r)
			if err != nil {
				return err
			}
			id = got.ID
			if _, err := releases.Insert(ctx, tx, r); airlock.ErrorCode(err) != airlock.ECONFLICT {
				t.Errorf("same digest again: %v, want a conflict", err)
			}
			return releases.SetDecision(ctx, tx, id, map[string]any{"why": "test"}, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := releases.Get(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Digest != digest || !got.Pinned || len(got.Platforms) != 2 || got.Platforms[1].Variant != "v7" ||
			!got.PushedAt.Equal(r.PushedAt) || string(got.Decision) != `{"why":"test"}` || got.RolloutID != nil {
			t.Errorf("got %+v", got)
		}
		list, total, err := releases.List(ctx, db, releases.Filter{Image: "docker.io/library/redis", Status: "ready", Limit: 10})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != id {
			t.Errorf("list: %v %d %v", list, total, err)
		}
		if _, total, _ := releases.List(ctx, db, releases.Filter{Tag: "other", Limit: 10}); total != 0 {
			t.Errorf("tag filter: %d releases", total)
		}
	})
}

func TestReleaseResolvingIsDue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
		r := redis("latest")
		r.Status, r.NextAttemptAt = release.StatusResolving, now.Add(time.Minute)
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			var err error
			r, err = releases.Insert(ctx, tx, r)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if due, err := releases.Due(ctx, db, now, 10); err != nil || len(due) != 0 {
			t.Fatalf("due before its time: %v %v", due, err)
		}
		due, err := releases.Due(ctx, db, now.Add(time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != r.ID {
			t.Fatalf("due: %v %v", due, err)
		}
		r.Status, r.Digest, r.Pinned, r.NextAttemptAt, r.Attempts = release.StatusReady, digest, true, time.Time{}, 2
		err = db.InTx(ctx, "test", func(tx *store.Tx) error {
			got, err := releases.Update(ctx, tx, r)
			if err == nil && (got.Status != release.StatusReady || got.Attempts != 2 || !got.NextAttemptAt.IsZero()) {
				t.Errorf("updated: %+v", got)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		known, err := releases.KnownTags(ctx, db, "docker.io", "library", "redis")
		if err != nil || len(known) != 1 || known[0].Tag != "latest" || known[0].SeenAt.IsZero() {
			t.Errorf("known tags: %v %v", known, err)
		}
	})
}

// TestReleaseChecksMatchGo inserts every status and source the Go code
// lists, and one it does not: the CHECKs must take exactly those.
func TestReleaseChecksMatchGo(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(i int, status release.Status, source release.Source) error {
			r := redis("t" + string(rune('a'+i)))
			r.Status, r.Source = status, source
			return db.InTx(ctx, "test", func(tx *store.Tx) error { _, err := releases.Insert(ctx, tx, r); return err })
		}
		for i, s := range release.Statuses {
			if err := insert(i, s, release.SourceWebhook); err != nil {
				t.Errorf("status %s: %v", s, err)
			}
		}
		for i, s := range release.Sources {
			if err := insert(10+i, release.StatusReady, s); err != nil {
				t.Errorf("source %s: %v", s, err)
			}
		}
		if insert(20, "bogus", release.SourceWebhook) == nil || insert(21, release.StatusReady, "bogus") == nil {
			t.Error("the CHECKs took a status or source the Go code does not list")
		}
	})
}
