package mirror_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// Issue 18's acceptance, against two real Distribution registries: a
// three-platform release pushed upstream (notifying Airlock) reaches
// devices as <mirror>/…@<same digest>, and the mirror holds the index, its
// three manifests, every blob, the release's signature and the tag.
func TestAcceptanceTwoDistributionRegistries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := start(t, dbURL)
		up := registrytest.Start(t, registrytest.Options{Notify: func(host string) (string, http.Header) {
			url, secret := f.declare(host, nil)
			return url, http.Header{"Authorization": {"Bearer " + secret}}
		}})
		mirror := registrytest.Start(t, registrytest.Options{})
		f.declare(mirror.Host(), map[string]any{"mirror": true})
		repo := up.Host() + "/acme/agent"
		f.approve(repo, nil)
		for uuid, p := range map[string]string{"pc": "linux/amd64", "pi4": "linux/arm64", "pi3": "linux/arm/v7"} {
			f.device(uuid, p, repo+":1.0")
		}
		ctx := context.Background()
		digest, err := up.PushIndex(ctx, "acme/agent", "2.0", "linux/amd64", "linux/arm64", "linux/arm/v7")
		if err != nil {
			t.Fatal(err)
		}
		sig, err := up.PushSignature(ctx, "acme/agent", digest)
		if err != nil {
			t.Fatal(err)
		}
		d := up.WaitForPush(digest)
		answer := apitest.Response{Status: d.Status, Body: d.Response}.Map(t)
		if d.Status != 200 {
			t.Fatalf("push answered %d: %v", d.Status, answer)
		}
		want := mirrorRef(mirror.Host(), up.Host(), "acme/agent", "2.0", digest)
		eventually(t, 20*time.Second, "devices sent the mirror's reference", func() bool {
			return f.poll("pc") == want && f.poll("pi4") == want && f.poll("pi3") == want
		})
		holdsWhole(t, want)
		path := mirror.Host() + "/" + strings.ReplaceAll(up.Host(), ":", "-") + "/acme/agent"
		for _, ref := range []string{path + ":2.0", path + "@" + sig} {
			r, err := name.ParseReference(ref, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := remote.Head(r); err != nil {
				t.Fatalf("the mirror lacks %s: %v", ref, err)
			}
		}
		rel := f.release(releaseOf(t, answer))
		if rel.Mirror == nil || rel.Mirror.State != "verified" || rel.Mirror.ManifestsDone < 4 {
			t.Fatalf("release %+v mirror %+v", rel, rel.Mirror)
		}
	})
}
