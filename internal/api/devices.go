package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/rollouts"

	"github.com/airlock-iot/airlock/internal/api/fleetapi"
	"github.com/airlock-iot/airlock/internal/api/httpx"
)

// sessionKey holds the airlock.DeviceSession of a device-key request.
type sessionKey struct{}

func deviceSession(r *http.Request) airlock.DeviceSession {
	sess, _ := r.Context().Value(sessionKey{}).(airlock.DeviceSession)
	return sess
}

func (s *Server) createDevice(w http.ResponseWriter, r *http.Request) error {
	var in service.DeviceInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	d, err := s.svc.CreateDevice(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) importDevices(w http.ResponseWriter, r *http.Request) error {
	return fleetapi.Import(w, r, s.svc.Fleet(), actor(r))
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) error {
	return fleetapi.ListDevices(w, r, s.svc.Devices)
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Device(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteDevice(r.Context(), actor(r), r.PathValue("uuid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateDeviceKey(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.RotateDeviceKey(r.Context(), actor(r), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) putTargetState(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Apps   map[string]json.RawMessage `json:"apps"`
		Force  bool                       `json:"force"`
		Reason string                     `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ts, err := s.svc.SetTargetState(r.Context(), actor(r), r.PathValue("uuid"), in.Apps,
		service.Override{Force: in.Force, Reason: in.Reason})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, airlock.DeviceTarget{Version: ts.Version, Apps: ts.Apps})
	return nil
}

// getTargetState is the poll of every device. The key lookup has already
// read the version, so an unchanged state costs nothing more.
func (s *Server) getTargetState(w http.ResponseWriter, r *http.Request) error {
	sess := deviceSession(r)
	tag := httpx.ETag(sess.CreatedAt, sess.Version)
	if httpx.ETagMatches(r.Header.Get("If-None-Match"), tag) {
		h := w.Header()
		h["Etag"] = []string{tag}
		h["Cache-Control"] = noCache
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	ts, err := s.svc.TargetState(r.Context(), sess.UUID)
	if err != nil {
		return err
	}
	poll, err := rollouts.Queries{DB: s.svc.DB}.PollAfter(r.Context(), sess.UUID)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(sess.CreatedAt, ts.Version))
	w.Header()["Cache-Control"] = noCache
	httpx.WriteJSON(w, http.StatusOK, airlock.DeviceTarget{Version: ts.Version, Apps: ts.Apps, PollAfterSeconds: poll})
	return nil
}

var noCache = []string{"no-cache"}

func (s *Server) reportState(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Apps       map[string]json.RawMessage `json:"apps"`
		Metrics    map[string]any             `json:"metrics"`
		Platform   string                     `json:"platform"`    // OCI form or uname -m
		ReportedAt *time.Time                 `json:"reported_at"` // the device's clock; the server's is kept
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rep := airlock.DeviceReport{Metrics: in.Metrics, Platform: in.Platform}
	if in.Apps != nil {
		rep.Apps = make(map[string]airlock.AppReport, len(in.Apps))
	}
	for name, raw := range in.Apps {
		var app airlock.AppReport
		if err := httpx.DecodeBytes(raw, &app); err != nil {
			return withinField("apps."+name, err)
		}
		rep.Apps[name] = app
	}
	if _, err := s.svc.ReportState(r.Context(), deviceSession(r).UUID, rep); err != nil {
		if airlock.ErrorCode(err) == airlock.EUNAVAILABLE {
			w.Header().Set("Retry-After", "1") // reports queued past the database's pace, or it is down
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// withinField names a nested value's error by its full path, e.g. apps.cache.healthy.
func withinField(prefix string, err error) error {
	var e *airlock.Error
	if !errors.As(err, &e) {
		return err
	}
	field := prefix
	if e.Field != "" {
		field += "." + e.Field
	}
	return airlock.FieldErrorf(field, "%s", e.Message)
}

func (s *Server) deviceRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/devices", Admin, s.createDevice},
		{"GET", "/api/v1/devices", Viewer, s.listDevices},
		{"POST", "/api/v1/devices/import", Admin, s.importDevices},
		{"GET", "/api/v1/devices/{uuid}", Viewer, s.getDevice},
		{"DELETE", "/api/v1/devices/{uuid}", Admin, s.deleteDevice},
		{"POST", "/api/v1/devices/{uuid}/rotate-key", Admin, s.rotateDeviceKey},
		{"PUT", "/api/v1/devices/{uuid}/target-state", Admin, s.putTargetState},
		{"GET", "/api/v1/devices/{uuid}/target-state", Device, s.getTargetState},
		{"PATCH", "/api/v1/devices/{uuid}/state", Device, s.reportState},
	}
}
