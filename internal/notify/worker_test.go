package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/notify"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

const secret = "ntf_test-notify-secret"

// receiver is an HTTP endpoint that records notifications; while down it answers 503.
type receiver struct {
	*httptest.Server
	down     atomic.Bool
	attempts atomic.Int64
	mu       sync.Mutex
	got      []delivery
}

type delivery struct {
	Path   string
	Header http.Header
	Body   []byte
}

func startReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.attempts.Add(1)
		if rc.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.URL.Path, r.Header.Clone(), b})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func fast(cfg notify.Config) notify.Config {
	cfg.Backoff, cfg.MaxBackoff, cfg.Poll, cfg.LeaseTTL, cfg.Timeout = 5*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond, time.Second, 2*time.Second
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 1000
	}
	return cfg
}

// logBuffer collects a worker's log.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func start(t *testing.T, db *store.DB, cfg notify.Config, logs ...*logBuffer) (stop func()) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if len(logs) > 0 {
		log = slog.New(slog.NewTextHandler(logs[0], nil))
	}
	w, err := notify.New(context.Background(), db, log, fast(cfg))
	if err != nil {
		t.Fatal(err)
	}
	stop = w.Start(context.Background())
	t.Cleanup(stop)
	return stop
}

// requestApproval writes an approval request as the gate does, with its event.
func requestApproval(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), "webhook/dockerhub", func(tx *store.Tx) error {
		a, _, err := catalog.RequestApproval(context.Background(), tx, airlock.ApprovalRequest{Registry: "docker.io", Namespace: "portainer",
			ImageName: name, Tag: "latest", Source: "dockerhub"})
		id = a.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func addEvent(t *testing.T, db *store.DB, typ string, payload any) {
	t.Helper()
	err := db.InTx(context.Background(), "monitor", func(tx *store.Tx) error {
		return tx.AddEvent(context.Background(), typ, "rollout/3", payload)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestApprovalRequestIsSignedSlackedAndMailed(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		rc, mailer := startReceiver(t), startSMTP(t)
		addEvent(t, db, notify.RolloutCompleted, map[string]any{"rollout_id": 1}) // before the first start: history, not news
		start(t, db, notify.Config{URLs: []string{rc.URL + "/hook", "slack+" + rc.URL + "/slack"}, Secret: secret,
			SMTPURL: "smtp://" + mailer.Addr, EmailTo: []string{"Ops <ops@example.com>"}, EmailFrom: "airlock@example.com",
			PublicURL: "https://airlock.example.com"})
		id := requestApproval(t, db, "portainer-ce")
		addEvent(t, db, notify.RolloutCompleted, map[string]any{"rollout_id": 3, "image": "docker.io/library/redis:7.5", "total_devices": 4})
		addEvent(t, db, "image.tag.added", map[string]any{})
		eventually(t, "4 webhook deliveries and a mail", func() bool { return len(rc.deliveries()) == 4 && len(mailer.Messages()) == 1 })
		time.Sleep(100 * time.Millisecond) // nothing more comes
		if n := len(rc.deliveries()); n != 4 {
			t.Fatalf("%d deliveries, want 4", n)
		}

		var signed, slack []delivery
		for _, d := range rc.deliveries() {
			if d.Path == "/hook" {
				signed = append(signed, d)
			} else {
				slack = append(slack, d)
			}
		}
		if len(signed) != 2 || len(slack) != 2 {
			t.Fatalf("signed %d, slack %d; want 2 each", len(signed), len(slack))
		}
		d := signed[0]
		if got, want := d.Header.Get("X-Airlock-Signature"), notify.Sign([]byte(secret), d.Body); got != want {
			t.Fatalf("signature %q, want %q", got, want)
		}
		var body struct {
			ID      int64
			Type    string
			Title   string
			Payload airlock.ApprovalRequest
		}
		json.Unmarshal(d.Body, &body)
		if body.Type != notify.ApprovalRequested || body.Payload.ID != id || body.Title != "Approval requested: docker.io/portainer/portainer-ce:latest" ||
			d.Header.Get("X-Airlock-Event") != body.Type || d.Header.Get("X-Airlock-Delivery") != strconv.FormatInt(body.ID, 10) {
			t.Fatalf("signed notification: %s %v", d.Body, d.Header)
		}
		var text struct{ Text string }
		json.Unmarshal(slack[1].Body, &text)
		if slack[1].Header.Get("X-Airlock-Signature") != "" || !strings.Contains(text.Text, "Rollout 3 of docker.io/library/redis:7.5 completed on 4 device(s)") {
			t.Fatalf("slack notification: %s", slack[1].Body)
		}

		m := mailer.Messages()[0]
		if m.From != "airlock@example.com" || len(m.To) != 1 || m.To[0] != "ops@example.com" ||
			!strings.Contains(m.Data, "Subject: [Airlock] Approval requested: docker.io/portainer/portainer-ce:latest\r\n") ||
			!strings.Contains(m.Data, "POST https://airlock.example.com/api/v1/approval-requests/"+strconv.FormatInt(id, 10)+"/approve") {
			t.Fatalf("mail: %+v", m)
		}
	})
}

// A receiver that is down gets the notification once it is back, and a
// restarted worker sends nothing again.
func TestDownReceiverGetsItLaterAndNothingTwice(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		rc := startReceiver(t)
		rc.down.Store(true)
		cfg := notify.Config{URLs: []string{rc.URL}, Secret: secret}
		stop := start(t, db, cfg)
		requestApproval(t, db, "first")
		eventually(t, "retries", func() bool { return rc.attempts.Load() >= 3 })
		rc.down.Store(false)
		eventually(t, "the delivery", func() bool { return len(rc.deliveries()) == 1 })
		stop()

		start(t, db, cfg)
		requestApproval(t, db, "second")
		eventually(t, "the second delivery", func() bool { return len(rc.deliveries()) >= 2 })
		time.Sleep(100 * time.Millisecond)
		var names []string
		for _, d := range rc.deliveries() {
			var b struct{ Payload airlock.ApprovalRequest }
			json.Unmarshal(d.Body, &b)
			names = append(names, b.Payload.ImageName)
		}
		if strings.Join(names, ",") != "first,second" {
			t.Fatalf("delivered %v, want first then second, once each", names)
		}
	})
}

// A receiver that never answers is given up after MaxAttempts, and the
// notifications after it still go out. The log tells, without the secret
// path of a Slack URL or the signing key.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		rc := startReceiver(t)
		rc.down.Store(true)
		var logs logBuffer
		start(t, db, notify.Config{URLs: []string{"slack+" + rc.URL + "/services/T0/B0/secret-path"}, Secret: secret, MaxAttempts: 3}, &logs)
		requestApproval(t, db, "lost")
		eventually(t, "3 attempts", func() bool { return rc.attempts.Load() == 3 })
		rc.down.Store(false)
		requestApproval(t, db, "next")
		eventually(t, "the next delivery", func() bool { return len(rc.deliveries()) == 1 })
		if n := rc.attempts.Load(); n != 4 {
			t.Fatalf("%d attempts, want 3 then 1", n)
		}
		l := logs.String()
		if !strings.Contains(l, "notification given up") || strings.Contains(l, "secret-path") || strings.Contains(l, secret) {
			t.Fatalf("log:\n%s", l)
		}
	})
}
