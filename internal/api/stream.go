package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/events"
)

const (
	// heartbeat keeps proxies from closing a quiet stream.
	heartbeat = 15 * time.Second
	// writeWithin bounds each write to a client: the server's WriteTimeout
	// would end every stream, so each write gets a deadline of its own.
	writeWithin = 30 * time.Second
	// replayRecheck is how soon a replay held behind a missing id looks again.
	replayRecheck = 100 * time.Millisecond
)

// streamEvents serves Server-Sent Events: each event as `id: N` and `data:
// <the event as JSON>`. A client that reconnects with Last-Event-ID (or
// ?after=N) gets exactly what it missed, then the live events.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r)
	if err != nil {
		return err
	}
	after, resume, err := lastEventID(r)
	if err != nil {
		return err
	}
	tok, _ := r.Context().Value(tokenKey).(airlock.Token)
	release, err := s.streams.open(tok.ID)
	if err != nil {
		return err
	}
	defer release()
	sub, err := s.hub.Subscribe(r.Context())
	if err != nil {
		return err
	}
	defer s.hub.Unsubscribe(sub)
	if err := s.stillValid(r, tok); err != nil { // revoked before the stream could see it happen
		return err
	}
	if !resume {
		after = sub.From
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &sse{w: bufio.NewWriter(w), rc: http.NewResponseController(w), f: f, last: after, token: tok.ID}
	defer st.rc.SetWriteDeadline(time.Time{}) // the connection may serve other requests after
	fmt.Fprintf(st.w, "retry: 2000\n: events after %d\n\n", after)
	if st.flush() != nil {
		return nil
	}
	if err := s.replay(r, st, sub.From); err != nil {
		return nil // the answer has begun; the client reconnects and resumes
	}
	s.live(r, st, sub)
	return nil
}

// lastEventID reads where a client resumes: the Last-Event-ID header, else ?after=.
func lastEventID(r *http.Request) (int64, bool, error) {
	v, name := r.Header.Get("Last-Event-ID"), "Last-Event-ID"
	if v == "" {
		v, name = r.URL.Query().Get("after"), "after"
	}
	if v == "" {
		return 0, false, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, false, airlock.Errorf(airlock.EBADREQUEST, "%s must be an event id, got %q", name, v)
	}
	return id, true, nil
}

// replay sends the events the client missed, up to where the live ones
// begin. It reads through a follower: on PostgreSQL an id below upTo may
// belong to a transaction still committing, and is waited for, not skipped.
func (s *Server) replay(r *http.Request, st *sse, upTo int64) error {
	f := s.svc.Follow(st.last)
	for f.Cursor() < upTo && !st.ended {
		evs, err := f.Next(r.Context(), 500)
		if err != nil {
			s.log.WarnContext(r.Context(), "event stream: replay failed", "err", err)
			return err
		}
		for _, e := range evs {
			if e.ID > upTo {
				break
			}
			st.send(e)
		}
		if err := st.flush(); err != nil {
			return err
		}
		if len(evs) == 0 && !f.Holding() {
			return nil
		}
		if len(evs) == 0 {
			select {
			case <-r.Context().Done():
				return r.Context().Err()
			case <-time.After(replayRecheck):
			}
		}
	}
	return nil
}

// live sends what the hub hands over until the client leaves, the hub
// drops it (it lags), its token is revoked or the server shuts down.
func (s *Server) live(r *http.Request, st *sse, sub *events.Sub) {
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for !st.ended {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			st.w.WriteString(": ping\n\n")
		case <-sub.Ready:
			evs, ok := sub.Take()
			if !ok {
				return
			}
			for _, e := range evs {
				st.send(e)
			}
		}
		if st.flush() != nil {
			return
		}
	}
}

// stillValid checks the stream's token again, once subscribed: a revocation
// from then on reaches the stream as an event.
func (s *Server) stillValid(r *http.Request, tok airlock.Token) error {
	if tok.ID == 0 {
		return nil
	}
	if _, err := s.svc.TokenBySecret(r.Context(), bearer(r)); err != nil {
		if airlock.ErrorCode(err) == airlock.ENOTFOUND {
			return airlock.Errorf(airlock.EUNAUTHORIZED, "invalid or revoked token")
		}
		return err
	}
	return nil
}

// sse writes events to one client.
type sse struct {
	w     *bufio.Writer
	rc    *http.ResponseController
	f     airlock.EventFilter
	last  int64 // the id of the last event sent or passed over
	token int64 // the stream's token: its revocation ends the stream
	ended bool  // the token was revoked
}

// send writes e unless the client has it already or filtered it out.
func (st *sse) send(e airlock.Event) {
	if e.ID <= st.last || st.ended {
		return
	}
	st.last = e.ID
	if e.Type == "token.revoked" && e.Subject == "token/"+strconv.FormatInt(st.token, 10) {
		st.ended = true
		return
	}
	if !st.f.Matches(e) {
		return
	}
	data, _ := json.Marshal(e)
	fmt.Fprintf(st.w, "id: %d\ndata: %s\n\n", e.ID, data)
}

func (st *sse) flush() error {
	st.rc.SetWriteDeadline(time.Now().Add(writeWithin))
	if err := st.w.Flush(); err != nil {
		return err
	}
	return st.rc.Flush()
}
