package registrytest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/registrytest"
)

// TestNotifications: pushes of an image, an index and artifacts each reach
// the notification URL as one manifest push with the header asked for,
// with blobs, pulls and mounts left out, and the host the client named.
func TestNotifications(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer sink.Close()
	reg := registrytest.Start(t, registrytest.Options{NotifyURL: sink.URL, Headers: http.Header{"Authorization": {"secret"}}})
	ctx := context.Background()

	img, err := reg.PushImage(ctx, "acme/app", "v1")
	if err != nil {
		t.Fatal(err)
	}
	d := reg.WaitForPush(img)
	if len(d.Events) != 1 || d.Events[0].Target.Tag != "v1" || d.Events[0].Request.Host != reg.Host() || d.Status != 200 {
		t.Fatalf("image push delivered as %+v", d)
	}
	idx, err := reg.PushIndex(ctx, "acme/app", "v2", "linux/amd64", "linux/arm/v7")
	if err != nil {
		t.Fatal(err)
	}
	reg.WaitForPush(idx)
	sig, err := reg.PushSignature(ctx, "acme/app", img)
	if err != nil {
		t.Fatal(err)
	}
	if e := reg.WaitForPush(sig).Events[0]; e.Target.Tag != "sha256-"+strings.TrimPrefix(img, "sha256:")+".sig" {
		t.Fatalf("signature tag %q", e.Target.Tag)
	}
	sbom, err := reg.PushArtifact(ctx, "acme/app", "sbom", registrytest.SBOM())
	if err != nil {
		t.Fatal(err)
	}
	reg.WaitForPush(sbom)
	spoofed, err := reg.PushImage(ctx, "acme/app", "v3", registrytest.AsHost("docker.io"))
	if err != nil {
		t.Fatal(err)
	}
	if e := reg.WaitForPush(spoofed).Events[0]; e.Request.Host != "docker.io" {
		t.Fatalf("spoofed push names host %q", e.Request.Host)
	}
	for _, d := range reg.Deliveries() {
		for _, e := range d.Events {
			if e.Action != "push" || !strings.Contains(e.Target.MediaType, "manifest") && !strings.Contains(e.Target.MediaType, "index") {
				t.Errorf("delivered %s of %s", e.Action, e.Target.MediaType)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range auth {
		if a != "secret" {
			t.Fatalf("Authorization %q", a)
		}
	}
}
