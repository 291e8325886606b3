package httpx

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/events"
)

const (
	// writeWithin bounds each write to a client: the server's WriteTimeout
	// would end every stream, so each write gets a deadline of its own.
	writeWithin = 30 * time.Second
	// replayRecheck is how soon a replay held behind a missing id looks again.
	replayRecheck = 100 * time.Millisecond
)

// SSE writes events to one client as Server-Sent Events.
type SSE struct {
	w     *bufio.Writer
	rc    *http.ResponseController
	f     airlock.EventFilter
	last  int64 // the id of the last event sent or passed over
	token int64 // the stream's token: its revocation ends the stream
	ended bool  // the token was revoked

	// ReadFailed says Replay stopped because reading events failed, not
	// because the client went away.
	ReadFailed bool
}

// StartSSE answers 200 with an event stream of the events after id after
// that f matches, until the revocation of token (0 for none). Call Done
// when the stream ends.
func StartSSE(w http.ResponseWriter, f airlock.EventFilter, after, token int64) *SSE {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &SSE{w: bufio.NewWriter(w), rc: http.NewResponseController(w), f: f, last: after, token: token}
	fmt.Fprintf(st.w, "retry: 2000\n: events after %d\n\n", after)
	return st
}

// Done lifts the write deadline: the connection may serve other requests after.
func (st *SSE) Done() { st.rc.SetWriteDeadline(time.Time{}) }

// LastEventID reads where a client resumes: the Last-Event-ID header, else ?after=.
func LastEventID(r *http.Request) (int64, bool, error) {
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

// Replay sends the events the client missed, up to where the live ones
// begin. It reads through a follower: on PostgreSQL an id below upTo may
// belong to a transaction still committing, and is waited for, not skipped.
func (st *SSE) Replay(ctx context.Context, f airlock.EventFollower, upTo int64) error {
	for f.Cursor() < upTo && !st.ended {
		evs, err := f.Next(ctx, 500)
		if err != nil {
			st.ReadFailed = true
			return err
		}
		for _, e := range evs {
			if e.ID > upTo {
				break
			}
			st.send(e)
		}
		if err := st.Flush(); err != nil {
			return err
		}
		if len(evs) == 0 && !f.Holding() {
			return nil
		}
		if len(evs) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(replayRecheck):
			}
		}
	}
	return nil
}

// Live sends what the hub hands over until the client leaves, the hub
// drops it (it lags), its token is revoked or the server shuts down; a
// comment every heartbeat keeps proxies from closing a quiet stream.
func (st *SSE) Live(ctx context.Context, sub *events.Sub, heartbeat time.Duration) {
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for !st.ended {
		select {
		case <-ctx.Done():
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
		if st.Flush() != nil {
			return
		}
	}
}

// send writes e unless the client has it already or filtered it out.
func (st *SSE) send(e airlock.Event) {
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

// Flush sends what is buffered, within its own write deadline.
func (st *SSE) Flush() error {
	st.rc.SetWriteDeadline(time.Now().Add(writeWithin))
	if err := st.w.Flush(); err != nil {
		return err
	}
	return st.rc.Flush()
}
