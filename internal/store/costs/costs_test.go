package costs_test

import (
	"context"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/costs"
	"github.com/airlock-iot/airlock/internal/store/releases"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestContentRoundTripAndReplace(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if imgs, err := costs.Content(ctx, db, digest); err != nil || imgs != nil {
			t.Fatalf("content never inspected: %v, %v; want nil", imgs, err)
		}
		img := registry.Image{Platform: platform.MustParse("linux/arm64"), Digest: digest,
			Config: registry.Descriptor{Digest: "sha256:c", Size: 10}, Layers: []registry.Descriptor{{Digest: "sha256:l", Size: 90}}}
		for _, size := range []int64{90, 190} { // a second inspection replaces the first
			img.Layers[0].Size = size
			if err := db.InTx(ctx, "resolver", func(tx *store.Tx) error {
				return costs.PutContent(ctx, tx, digest, []registry.Image{img})
			}); err != nil {
				t.Fatal(err)
			}
		}
		imgs, err := costs.Content(ctx, db, digest)
		if err != nil || len(imgs) != 1 || cost.Size(imgs[0]) != 200 || imgs[0].Platform.Architecture != "arm64" {
			t.Fatalf("content read back: %+v, %v", imgs, err)
		}
	})
}

func TestRulesAndHoldRelease(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if rules, err := costs.Rules(ctx, db); err != nil || rules == nil || len(rules) != 0 {
			t.Fatalf("rules before any were set: %v, %v", rules, err)
		}
		want := []cost.Rule{{Labels: map[string]string{"link": "cellular"}, PerGB: 8.5, Currency: "EUR"}}
		var rel release.Release
		err := db.InTx(ctx, "admin", func(tx *store.Tx) (err error) {
			if err := costs.SetRules(ctx, tx, want); err != nil {
				return err
			}
			rel, err = releases.Insert(ctx, tx, release.Release{Registry: "docker.io", Namespace: "library", Name: "redis",
				Tag: "7", Digest: digest, PushedAt: time.Now(), Source: release.SourceWebhook, Status: release.StatusReady})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rules, err := costs.Rules(ctx, db)
		if err != nil || len(rules) != 1 || rules[0].PerGB != 8.5 || rules[0].Labels["link"] != "cellular" {
			t.Fatalf("rules read back: %+v, %v", rules, err)
		}
		if ok, err := costs.HoldReleased(ctx, db, rel.ID); err != nil || ok {
			t.Fatalf("a hold nobody released: %v, %v", ok, err)
		}
		if err := db.InTx(ctx, "alice", func(tx *store.Tx) error {
			return costs.ReleaseHold(ctx, tx, rel.ID, "held for an approver: …")
		}); err != nil {
			t.Fatal(err)
		}
		if ok, err := costs.HoldReleased(ctx, db, rel.ID); err != nil || !ok {
			t.Fatalf("a released hold: %v, %v", ok, err)
		}
	})
}
