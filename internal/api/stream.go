package api

import (
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// heartbeat keeps proxies from closing a quiet stream.
const heartbeat = 15 * time.Second

// streamEvents serves Server-Sent Events: each event as `id: N` and `data:
// <the event as JSON>`. A client that reconnects with Last-Event-ID (or
// ?after=N) gets exactly what it missed, then the live events.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r)
	if err != nil {
		return err
	}
	after, resume, err := httpx.LastEventID(r)
	if err != nil {
		return err
	}
	tok, _ := r.Context().Value(tokenKey).(airlock.Token)
	release, err := s.streams.Open(tok.ID)
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
	st := httpx.StartSSE(w, f, after, tok.ID)
	defer st.Done()
	if st.Flush() != nil {
		return nil
	}
	if err := st.Replay(r.Context(), s.svc.Follow(after), sub.From); err != nil {
		if st.ReadFailed {
			s.log.WarnContext(r.Context(), "event stream: replay failed", "err", err)
		}
		return nil // the answer has begun; the client reconnects and resumes
	}
	st.Live(r.Context(), sub, s.heartbeat)
	return nil
}

// stillValid checks the stream's token again, once subscribed: a revocation
// from then on reaches the stream as an event.
func (s *Server) stillValid(r *http.Request, tok airlock.Token) error {
	if tok.ID == 0 {
		return nil
	}
	if _, err := s.svc.TokenBySecret(r.Context(), httpx.Bearer(r)); err != nil {
		if airlock.ErrorCode(err) == airlock.ENOTFOUND {
			return airlock.Errorf(airlock.EUNAUTHORIZED, "invalid or revoked token")
		}
		return err
	}
	return nil
}
