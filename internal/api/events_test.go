package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// stream is a test client of /api/v1/events/stream.
type stream struct {
	events chan airlock.Event
	done   chan struct{} // closed when the server ends the stream
}

// openStream connects and waits for the server's first comment, which it
// writes once the subscription is in place.
func openStream(t *testing.T, s *apitest.Server, query string, header ...string) *stream {
	t.Helper()
	return openStreamAs(t, s, apitest.AdminToken, query, header...)
}

func openStreamAs(t *testing.T, s *apitest.Server, token, query string, header ...string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v1/events/stream"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	st := &stream{events: make(chan airlock.Event, 100), done: make(chan struct{})}
	ready := make(chan struct{})
	go st.read(t, bufio.NewReader(resp.Body), ready)
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not start")
	}
	return st
}

func (st *stream) read(t *testing.T, r *bufio.Reader, ready chan struct{}) {
	defer close(st.done)
	var id string
	var data string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, ":"):
			if ready != nil {
				close(ready)
				ready = nil
			}
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		case line == "" && data != "":
			var e airlock.Event
			if err := json.Unmarshal([]byte(data), &e); err != nil || strconv.FormatInt(e.ID, 10) != id {
				t.Errorf("bad event id %q data %q: %v", id, data, err)
			}
			st.events <- e
			id, data = "", ""
		}
	}
}

// take reads n events.
func (st *stream) take(t *testing.T, n int) []airlock.Event {
	t.Helper()
	var out []airlock.Event
	for len(out) < n {
		select {
		case e := <-st.events:
			out = append(out, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d events, want %d: %v", len(out), n, types(out))
		}
	}
	return out
}

// quiet checks that no more events come.
func (st *stream) quiet(t *testing.T) {
	t.Helper()
	select {
	case e := <-st.events:
		t.Fatalf("unexpected event %d %s", e.ID, e.Type)
	case <-time.After(200 * time.Millisecond):
	}
}

func types(evs []airlock.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func eventIDs(evs []airlock.Event) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func refusedPush(s *apitest.Server) apitest.Response {
	return s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "",
		map[string]any{"repository": map[string]any{"repo_name": "portainer/portainer-ce"}, "push_data": map[string]any{"tag": "latest"}})
}

// TestEventStreamLiveAndResume: a client sees events as they happen;
// one reconnecting with Last-Event-ID gets exactly what it missed, then live ones.
func TestEventStreamLiveAndResume(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		live := openStream(t, s, "")
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		added := live.take(t, 1)[0]
		if added.Type != "image.registry.added" || added.Subject != "image/1" || added.Actor == "" {
			t.Fatalf("first event: %+v", added)
		}
		if r := refusedPush(s); r.Status != 403 {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
		missed := live.take(t, 3)
		if got := strings.Join(types(missed), " "); got != "image.webhook_received image.approval_requested image.webhook_rejected" {
			t.Fatalf("webhook events: %s", got)
		}
		live.quiet(t)

		resumed := openStream(t, s, "", "Last-Event-ID", strconv.FormatInt(added.ID, 10))
		if got := resumed.take(t, 3); fmt.Sprint(eventIDs(got)) != fmt.Sprint(eventIDs(missed)) {
			t.Fatalf("replayed %v, want %v", eventIDs(got), eventIDs(missed))
		}
		resumed.quiet(t)
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "nginx"})
		for _, st := range []*stream{live, resumed} {
			if e := st.take(t, 1)[0]; e.Type != "image.registry.added" || e.Subject != "image/2" {
				t.Fatalf("live after replay: %+v", e)
			}
		}

		filtered := openStream(t, s, "?after=0&type=image.webhook_*")
		if got := types(filtered.take(t, 2)); strings.Join(got, " ") != "image.webhook_received image.webhook_rejected" {
			t.Fatalf("filtered replay: %v", got)
		}
		filtered.quiet(t)

		if r := s.Admin("GET", "/api/v1/events/stream?after=x", nil); r.Status != 400 {
			t.Fatalf("bad after: %d %s", r.Status, r.Body)
		}
	})
}

// TestEventStreamEndsOnShutdown: closing the server's streams ends every
// client's response, and new ones are refused.
func TestEventStreamEndsOnShutdown(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		st := openStream(t, s, "")
		s.API.Close()
		select {
		case <-st.done:
		case <-time.After(10 * time.Second):
			t.Fatal("stream still open after Close")
		}
		if r := s.Admin("GET", "/api/v1/events/stream", nil); r.Status != 503 {
			t.Fatalf("stream after Close: %d %s", r.Status, r.Body)
		}
	})
}

func TestEventQuery(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		refusedPush(s)
		var page struct {
			Items []airlock.Event `json:"items"`
			Total int             `json:"total"`
		}
		get := func(q string) []string {
			t.Helper()
			page.Items = nil
			s.Must(200, "GET", "/api/v1/events"+q, nil).JSON(t, &page)
			return types(page.Items)
		}
		all := get("")
		if len(all) < 5 || all[len(all)-1] != "image.webhook_rejected" || page.Total != len(all) {
			t.Fatalf("all events (oldest first): %v total %d", all, page.Total)
		}
		if got := get("?type=image.webhook_*"); strings.Join(got, " ") != "image.webhook_received image.webhook_rejected" || page.Total != 2 {
			t.Fatalf("type prefix: %v", got)
		}
		if got := get("?type=image.registry.added&subject=image/1"); len(got) != 1 {
			t.Fatalf("type and subject: %v", got)
		}
		if got := get("?limit=2"); strings.Join(got, " ") != "image.approval_requested image.webhook_rejected" || page.Total != len(all) {
			t.Fatalf("latest 2: %v", got)
		}
		first := page.Items[0].ID
		if got := get(fmt.Sprintf("?after=%d", first)); len(got) != 1 || got[0] != "image.webhook_rejected" {
			t.Fatalf("after: %v", got)
		}
		if got := get(fmt.Sprintf("?before=%d&limit=1", first)); len(got) != 1 || got[0] != "image.webhook_received" {
			t.Fatalf("before: %v", got)
		}
		for _, q := range []string{"?limit=0", "?limit=1001", "?after=-1", "?before=x"} {
			if r := s.Admin("GET", "/api/v1/events"+q, nil); r.Status != 422 {
				t.Errorf("GET /api/v1/events%s: %d %s", q, r.Status, r.Body)
			}
		}
		if r := s.Do("GET", "/api/v1/events", s.Token(airlock.RoleViewer), nil); r.Status != 200 {
			t.Fatalf("viewer: %d", r.Status)
		}
	})
}

// TestEventStreamAcrossReplicas: a stream on one replica sees what another
// replica of the same database writes (NOTIFY on PostgreSQL, the poll on both).
func TestEventStreamAcrossReplicas(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		a, b := apitest.Start(t, dbURL), apitest.Start(t, dbURL)
		st := openStream(t, a, "")
		b.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		if e := st.take(t, 1)[0]; e.Type != "image.registry.added" {
			t.Fatalf("event from the other replica: %+v", e)
		}
	})
}
