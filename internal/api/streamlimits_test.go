package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func newToken(t *testing.T, s *apitest.Server, name, role string) (id int64, secret string) {
	t.Helper()
	var tok struct {
		ID    int64
		Token string
	}
	s.Must(201, "POST", "/api/v1/tokens", map[string]string{"name": name, "role": role}).JSON(t, &tok)
	return tok.ID, tok.Token
}

// TestRevokedTokensStreamCloses: revoking a token ends its open streams
// within 5 s; other streams go on.
func TestRevokedTokensStreamCloses(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		id, secret := newToken(t, s, "watcher", airlock.RoleViewer)
		doomed := openStreamAs(t, s, secret, "")
		other := openStream(t, s, "")
		t0 := time.Now()
		s.Must(204, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(id, 10), nil)
		select {
		case <-doomed.done:
			t.Logf("stream closed %s after the revocation", time.Since(t0).Round(time.Millisecond))
		case <-time.After(5 * time.Second):
			t.Fatal("the revoked token's stream was still open 5 s later")
		}
		if e := other.take(t, 1)[0]; e.Type != "token.revoked" {
			t.Fatalf("the admin's stream got %s, want token.revoked", e.Type)
		}
		if r := s.Do("GET", "/api/v1/events/stream", secret, nil); r.Status != 401 {
			t.Fatalf("a revoked token opened a stream: %d", r.Status)
		}
	})
}

// TestStreamsAreCapped: a token may hold so many streams, the server so
// many in all; one more is a 429, and closing one makes room.
func TestStreamsAreCapped(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.API.SetStreamCaps(2, 3)
		_, a := newToken(t, s, "a", airlock.RoleViewer)
		_, b := newToken(t, s, "b", airlock.RoleViewer)
		openStreamAs(t, s, a, "")
		openStreamAs(t, s, a, "")
		if r := s.Do("GET", "/api/v1/events/stream", a, nil); r.Status != http.StatusTooManyRequests {
			t.Fatalf("a third stream for one token: %d %s", r.Status, r.Body)
		}
		openStreamAs(t, s, b, "")
		if r := s.Do("GET", "/api/v1/events/stream", b, nil); r.Status != http.StatusTooManyRequests {
			t.Fatalf("a fourth stream in all: %d %s", r.Status, r.Body)
		}
	})
}

// TestResumeWaitsForCommittingEvents: on PostgreSQL an event id is taken
// before its transaction commits. A client resuming with Last-Event-ID
// while an earlier id is still committing gets it, in order, when it
// commits, rather than skipping it.
func TestResumeWaitsForCommittingEvents(t *testing.T) {
	t.Parallel()
	if os.Getenv("AIRLOCK_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL (SQLite has one writer, so ids commit in order): set AIRLOCK_TEST_POSTGRES_URL")
	}
	s := apitest.Start(t, storetest.URL(t, store.Postgres))
	ctx := context.Background()
	last, err := s.DB.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inserted, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.DB.InTx(ctx, "test", func(tx *store.Tx) error {
			if err := tx.AddEvent(ctx, "test.slow", "", nil); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	<-inserted
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"}) // id last+2, committed
	st := openStream(t, s, "", "Last-Event-ID", fmt.Sprint(last))
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := st.take(t, 2)
	if got[0].ID != last+1 || got[0].Type != "test.slow" || got[1].ID != last+2 {
		t.Fatalf("resumed after %d, got %v %v: want the committing event first", last, eventIDs(got), types(got))
	}
}
