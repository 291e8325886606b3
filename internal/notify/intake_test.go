package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/notify"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// A receiver that hangs holds up no webhook answer: notifications go out
// from the event log, after the answer, on the worker's own time.
func TestHangingReceiverDoesNotSlowWebhooks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		called, release := make(chan struct{}, 10), make(chan struct{})
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(rc.Close)
		t.Cleanup(func() { close(release) })
		s := apitest.Start(t, dbURL, apitest.WithService(func(svc *service.Service) {
			w, err := notify.New(context.Background(), svc.DB, svc.Log, fast(notify.Config{URLs: []string{rc.URL}, Secret: secret}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(w.Start(context.Background()))
		}))
		for i, repo := range []string{"acme/one", "acme/two", "acme/three"} {
			began := time.Now()
			r := s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
				map[string]any{"repository": map[string]any{"repo_name": repo}, "push_data": map[string]any{"tag": "1"}})
			if took := time.Since(began); r.Status != 403 || took > 2*time.Second {
				t.Fatalf("push %d: %d in %s", i, r.Status, took)
			}
			if i == 0 {
				select {
				case <-called: // the first notification hangs from here on
				case <-time.After(10 * time.Second):
					t.Fatal("no notification attempt")
				}
			}
		}
	})
}
