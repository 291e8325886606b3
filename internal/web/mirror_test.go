package web_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
)

// TestReleaseMirrorAndSize: a release held while the declared mirror is
// down shows, at 390 px, its size and its copy retrying with the last
// error.
func TestReleaseMirrorAndSize(t *testing.T) {
	t.Parallel()
	s := server(t, apitest.WithMonitor(20*time.Millisecond),
		apitest.WithService(func(svc *service.Service) { svc.ReleaseTick = 50 * time.Millisecond }))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s.Svc.StartReleases(ctx)
	up := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(up.Close)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	t.Cleanup(down.Close)
	upHost, mirrorHost := strings.TrimPrefix(up.URL, "http://"), strings.TrimPrefix(down.URL, "http://")
	var reg struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": upHost, "kind": "distribution"}).JSON(t, &reg)
	s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": mirrorHost, "kind": "distribution", "mirror": true})
	repo := upHost + "/acme/agent"
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": repo})
	s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": repo + ":*", "update_strategy": "immediate"})
	pushImage(t, repo+":2.0")
	var answer struct{ Release struct{ ID int64 } }
	s.Must(200, "POST", "/api/v1/webhooks/generic?token="+reg.WebhookSecret, map[string]any{"image": repo + ":2.0"}).JSON(t, &answer)

	// The page is opened once the first copy failed: the copier tells no event.
	path := fmt.Sprintf("/api/v1/releases/%d", answer.Release.ID)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var rel struct{ Mirror *struct{ State string } }
		if s.Must(200, "GET", path, nil).JSON(t, &rel); rel.Mirror != nil && rel.Mirror.State == "retrying" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the copy to the mirror that is down never failed: %s", s.Must(200, "GET", path, nil).Body)
		}
	}
	p := open(t, s)
	p.do("setting the viewport to 390 px", chromedp.EmulateViewport(390, 844))
	p.signIn(apitest.AdminToken)
	p.goTo(fmt.Sprintf("/releases/%d", answer.Release.ID))
	p.waitFor("the size", `/^\d+(\.\d)? kB/.test(document.querySelector('[data-testid=release-size]').textContent)`)
	p.waitFor("the copy retrying with its error", `document.querySelector('[data-testid=release-mirror]').dataset.state === 'retrying' && `+
		`document.querySelector('[data-testid=mirror-error]').textContent !== ''`)
	fits(t, p, 390, "release-mirror")
}

// pushImage pushes a small random linux/amd64 image as ref.
func pushImage(t *testing.T, ref string) {
	t.Helper()
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
}
