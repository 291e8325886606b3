package releases_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
)

// manifestSize is the sum of the layer and config sizes the registry's
// manifest of repo@digest lists, read with go-containerregistry.
func manifestSize(t *testing.T, reg *registrytest.Registry, repo, digest string) int64 {
	t.Helper()
	ref, err := name.NewDigest(reg.Host()+"/"+repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

// sized is GET /releases/{id}'s size fields.
type sized struct {
	SizeKnown     bool  `json:"size_known"`
	SizeBytes     int64 `json:"size_bytes"`
	PlatformSizes []struct {
		Platform  struct{ OS, Architecture string }
		SizeBytes int64 `json:"size_bytes"`
	} `json:"platform_sizes"`
}

// rolloutCost is GET /rollouts/{id}'s bytes and cost.
type rolloutCost struct {
	DownloadBytes int64 `json:"download_bytes"`
	Cost          struct {
		Currency      string
		EstimatedCost float64 `json:"estimated_cost"`
		ActualCost    float64 `json:"actual_cost"`
		Devices       []struct {
			UUID          string
			DownloadBytes int64 `json:"download_bytes"`
		}
	}
}

func (f fixture) rolloutCost(id int64) rolloutCost {
	f.t.Helper()
	var c rolloutCost
	f.s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d", id), nil).JSON(f.t, &c)
	return c
}

// Issue 23: a single-platform release's size_bytes is the sum of its
// manifest's layer and config sizes; a rollout to devices whose image
// shares no layer with it downloads devices × size, shown per device.
func TestReleaseSizeAndRolloutDownload(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		f := fixture{t, s}
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/weighed"
		f.approve(repo)
		ctx := context.Background()
		old, err := reg.PushImage(ctx, "acme/weighed", "1.0")
		pushed(t, reg, old, err)
		for i := range 3 {
			f.device(fmt.Sprintf("gw%d", i), repo+":1.0@"+old)
		}
		next, err := reg.PushImage(ctx, "acme/weighed", "2.0")
		v := pushed(t, reg, next, err)
		ro, _ := v["rollout"].(map[string]any)
		if ro == nil {
			t.Fatalf("no rollout: %v", v)
		}
		want := manifestSize(t, reg, "acme/weighed", next)
		var size sized
		s.Must(200, "GET", fmt.Sprintf("/api/v1/releases/%d", f.releaseOf(repo, "2.0").ID), nil).JSON(t, &size)
		if !size.SizeKnown || size.SizeBytes != want || len(size.PlatformSizes) != 1 ||
			size.PlatformSizes[0].SizeBytes != want || size.PlatformSizes[0].Platform.Architecture != "amd64" {
			t.Fatalf("size of the release: %+v, want %d", size, want)
		}
		c := f.rolloutCost(int64(ro["id"].(float64)))
		if c.DownloadBytes != 3*want || len(c.Cost.Devices) != 3 {
			t.Fatalf("rollout downloads %+v, want 3 × %d", c, want)
		}
		for _, d := range c.Cost.Devices {
			if d.DownloadBytes != want {
				t.Fatalf("%s downloads %d, want %d", d.UUID, d.DownloadBytes, want)
			}
		}
	})
}
