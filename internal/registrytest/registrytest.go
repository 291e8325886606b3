// Package registrytest runs a real CNCF Distribution registry in-process, with
// its notifications sent to a URL as a deployed registry sends them, and
// pushes to it with go-containerregistry: images, multi-platform indexes and
// artifacts (cosign signatures, SBOMs, Helm charts). It is for tests only and
// keeps Distribution's many dependencies out of the airlock binary.
package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory" // the storage driver of every test registry
	"github.com/sirupsen/logrus"
)

// Options configures a test registry.
type Options struct {
	// NotifyURL receives the registry's notifications; "" sends none.
	NotifyURL string
	// Headers are sent with every notification, e.g. the Authorization
	// header that carries a webhook secret.
	Headers http.Header
	// Notify, when set, gives NotifyURL and Headers once the registry's
	// host:port is known, e.g. to declare the registry and use its secret.
	Notify func(host string) (url string, h http.Header)
}

// Registry is a running Distribution registry.
type Registry struct {
	t        testing.TB
	http     *httptest.Server
	hook     *httptest.Server
	app      *handlers.App
	endpoint string // its notification endpoint's name, unique in the process

	mu         sync.Mutex
	draining   bool
	deliveries []Delivery
	arrived    chan struct{} // closed and replaced on each delivery
	closeOnce  sync.Once
}

// Delivery is one notification the registry sent and what it was answered.
type Delivery struct {
	Events   []Event
	Status   int
	Response []byte
}

// Event is the part of a notification event tests look at.
type Event struct {
	ID     string `json:"id"`
	Action string `json:"action"`
	Target struct {
		MediaType  string `json:"mediaType"`
		Digest     string `json:"digest"`
		Repository string `json:"repository"`
		Tag        string `json:"tag"`
	} `json:"target"`
	Request struct {
		Host string `json:"host"`
	} `json:"request"`
}

var (
	logOnce   sync.Once
	endpoints sync.Mutex
	nEndpoint int
)

// Start runs a registry on 127.0.0.1 until the test ends. Its notifications
// ignore pulls, mounts and blobs, and carry references, as the README
// configures a registry for Airlock.
func Start(t testing.TB, o Options) *Registry {
	t.Helper()
	logOnce.Do(func() { logrus.SetLevel(logrus.ErrorLevel) })
	endpoints.Lock()
	nEndpoint++
	name := fmt.Sprintf("airlock-test-%d", nEndpoint)
	endpoints.Unlock()
	r := &Registry{t: t, endpoint: name, arrived: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Notify != nil {
		o.NotifyURL, o.Headers = o.Notify(ln.Addr().String())
	}
	var notify []configuration.Endpoint
	if o.NotifyURL != "" {
		r.hook = httptest.NewServer(r.forward(o.NotifyURL))
		notify = []configuration.Endpoint{{
			Name: name, URL: r.hook.URL, Headers: o.Headers, Timeout: 5 * time.Second, Threshold: 5, Backoff: time.Second,
			Ignore: configuration.Ignore{Actions: []string{"pull", "mount"}, MediaTypes: BlobMediaTypes},
		}}
	}
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{
			"inmemory":    configuration.Parameters{},
			"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		},
		Notifications: configuration.Notifications{Endpoints: notify, EventConfig: configuration.Events{IncludeReferences: true}},
	}
	cfg.HTTP.Secret = "registrytest"
	r.app = handlers.NewApp(context.Background(), cfg)
	r.http = httptest.NewUnstartedServer(r.app)
	r.http.Listener.Close()
	r.http.Listener = ln
	r.http.Start()
	t.Cleanup(r.Close)
	return r
}

// BlobMediaTypes are the blob media types a registry's notifications should
// ignore: only manifests can be deployed.
var BlobMediaTypes = []string{
	"application/octet-stream",
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.container.image.v1+json",
	"application/vnd.oci.image.config.v1+json",
}

// Host is the registry's host:port, as pushes name it.
func (r *Registry) Host() string {
	u, _ := url.Parse(r.http.URL)
	return u.Host
}

// Port is the registry's port, for spelling its host another way.
func (r *Registry) Port() string {
	u, _ := url.Parse(r.http.URL)
	return u.Port()
}

// forward passes each notification on to target and records the answer.
// Once the registry is closing it answers 200 itself, so that nothing the
// registry still holds is retried against a server that is gone.
func (r *Registry) forward(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		draining := r.draining
		r.mu.Unlock()
		if draining {
			return
		}
		status, answer := post(req.Context(), target, req.Header, body)
		var env struct{ Events []Event }
		json.Unmarshal(body, &env)
		r.mu.Lock()
		r.deliveries = append(r.deliveries, Delivery{Events: env.Events, Status: status, Response: answer})
		close(r.arrived)
		r.arrived = make(chan struct{})
		r.mu.Unlock()
		w.WriteHeader(status)
		w.Write(answer)
	})
}

func post(ctx context.Context, target string, h http.Header, body []byte) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, "POST", target, bytes.NewReader(body))
	if err != nil {
		return http.StatusBadGateway, []byte(err.Error())
	}
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return http.StatusBadGateway, []byte(err.Error())
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, answer
}

// Deliveries returns the notifications delivered so far, retries included.
func (r *Registry) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// WaitFor waits until a delivery satisfies ok and returns it. It fails the
// test if none does within a generous bound.
func (r *Registry) WaitFor(ok func(Delivery) bool) Delivery {
	r.t.Helper()
	timeout := time.After(30 * time.Second)
	for seen := 0; ; {
		r.mu.Lock()
		all, arrived := r.deliveries, r.arrived
		r.mu.Unlock()
		for ; seen < len(all); seen++ {
			if ok(all[seen]) {
				return all[seen]
			}
		}
		select {
		case <-arrived:
		case <-timeout:
			r.t.Fatalf("no matching notification among %d delivered", len(all))
		}
	}
}

// WaitForPush waits for the notification of a manifest push of digest and
// returns it with its answer.
func (r *Registry) WaitForPush(digest string) Delivery {
	r.t.Helper()
	return r.WaitFor(func(d Delivery) bool {
		for _, e := range d.Events {
			if e.Action == "push" && e.Target.Digest == digest {
				return true
			}
		}
		return false
	})
}

// Close stops the registry. Notifications still queued are answered 200 by
// the forwarder, so its retrying sink empties instead of retrying for ever
// against a closed server; only then are the servers closed.
func (r *Registry) Close() {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.draining = true
		r.mu.Unlock()
		r.http.Close()
		if r.hook != nil {
			r.waitDrained(30 * time.Second)
			r.hook.Close()
		}
		r.app.Shutdown()
	})
}

// waitDrained waits until the endpoint has nothing pending, as Distribution
// reports it through expvar (its only public view of the queue).
func (r *Registry) waitDrained(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for pending(r.endpoint) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

func pending(endpoint string) int {
	reg, _ := expvar.Get("registry").(*expvar.Map)
	if reg == nil {
		return 0
	}
	n, _ := reg.Get("notifications").(*expvar.Map)
	if n == nil {
		return 0
	}
	var list []struct {
		Name    string
		Metrics struct{ Pending int }
	}
	json.Unmarshal([]byte(n.Get("endpoints").String()), &list)
	for _, e := range list {
		if strings.EqualFold(e.Name, endpoint) {
			return e.Metrics.Pending
		}
	}
	return 0
}
