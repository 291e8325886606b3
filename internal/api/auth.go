package api

import (
	"context"
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"

	"github.com/airlock-iot/airlock/internal/api/httpx"
)

type ctxKey int

const (
	tokenKey ctxKey = iota
	deviceKey
)

// guard wraps a route's handler with the check its Auth asks for.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.run(func(w http.ResponseWriter, r *http.Request) error {
			if err := httpx.CheckRequestText(r); err != nil {
				return err
			}
			r, err := s.authenticate(r, rt.Auth)
			if err != nil {
				return err
			}
			if rt.Auth == Device { // limited by the key's device, once the key is known good
				if err := s.limit(w, r, s.deviceLimiter, deviceUUID(r)); err != nil {
					return err
				}
			}
			return rt.handler(w, r)
		}, w, r)
	})
}

func (s *Server) authenticate(r *http.Request, a Auth) (*http.Request, error) {
	switch a {
	case Public, Webhook: // webhook handlers verify the secret over the raw body themselves
		return r, nil
	case Device:
		sess, err := s.svc.AuthenticateDevice(r.Context(), r.PathValue("uuid"), httpx.Bearer(r))
		if err != nil {
			return nil, err
		}
		ctx := context.WithValue(r.Context(), deviceKey, sess.UUID)
		return r.WithContext(context.WithValue(ctx, sessionKey{}, sess)), nil
	}
	secret := httpx.Bearer(r)
	if secret == "" {
		return nil, airlock.Errorf(airlock.EUNAUTHORIZED, "missing bearer token")
	}
	if r.Pattern == metricsRoute && s.metricsToken != "" && httpx.SameSecret(secret, s.metricsToken) {
		return r, nil // a scraper need not hold an API token
	}
	tok, err := s.svc.TokenBySecret(r.Context(), secret)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return nil, airlock.Errorf(airlock.EUNAUTHORIZED, "invalid or revoked token")
	}
	if err != nil {
		return nil, err
	}
	if !allowed(tok.Role, a) {
		return nil, airlock.Errorf(airlock.EFORBIDDEN, "role %s may not do this; %s needed", tok.Role, required[a])
	}
	s.touch(r.Context(), tok.ID)
	return r.WithContext(context.WithValue(r.Context(), tokenKey, tok)), nil
}

var required = map[Auth]string{Viewer: airlock.RoleViewer, Approver: airlock.RoleApprover, Admin: airlock.RoleAdmin,
	Scanner: airlock.RoleScanner, CI: airlock.RoleCI}

// allowed says whether a token of role may call a route of a. Scanner and
// CI tokens may call only their own routes, which approvers and admins may
// call too.
func allowed(role string, a Auth) bool {
	if a == Scanner || a == CI {
		return role == required[a] || airlock.RoleRank(role) >= airlock.RoleRank(airlock.RoleApprover)
	}
	return airlock.RoleRank(role) >= airlock.RoleRank(required[a])
}

// touch records a token's last use at most once a minute: it is a write,
// and reads should not each pay for one.
func (s *Server) touch(ctx context.Context, id int64) {
	now := s.svc.Now()
	s.touchMu.Lock()
	stale := now.Sub(s.touched[id]) >= time.Minute
	if stale {
		s.touched[id] = now
	}
	s.touchMu.Unlock()
	if stale {
		if err := s.svc.TouchToken(ctx, id, now); err != nil {
			s.log.WarnContext(ctx, "recording token use", "token_id", id, "err", err)
		}
	}
}

// actor is the name of the token making the request, for events.
func actor(r *http.Request) string {
	if tok, ok := r.Context().Value(tokenKey).(airlock.Token); ok {
		return tok.Name
	}
	return ""
}

// deviceUUID is the device a device-key request speaks for.
func deviceUUID(r *http.Request) string {
	uuid, _ := r.Context().Value(deviceKey).(string)
	return uuid
}
