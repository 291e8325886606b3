package supplyapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/verify"
)

// ReadReport reads a scan report, which may be far larger than other
// bodies: a whole distribution's findings.
func ReadReport(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, verify.MaxReportBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, airlock.Errorf(airlock.ETOOLARGE, "a scan report must be at most %d bytes", verify.MaxReportBytes)
	}
	if err != nil {
		return nil, airlock.Errorf(airlock.EBADREQUEST, "reading request body: %v", err)
	}
	return body, nil
}

// PostScanReport stores a Trivy or Grype report for the digest it names.
func (h Handlers) PostScanReport(w http.ResponseWriter, r *http.Request) error {
	body, err := ReadReport(r)
	if err != nil {
		return err
	}
	stored, err := h.Reports.PostReport(r.Context(), h.Actor(r), body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, stored)
	return nil
}

// HarborScan stores the reports of Harbor's SCANNING_COMPLETED webhook,
// authenticated like a push delivery; Harbor's other events are
// acknowledged and ignored.
func (h Handlers) HarborScan(w http.ResponseWriter, r *http.Request) error {
	body, err := ReadReport(r)
	if err != nil {
		return err
	}
	if err := h.Vouch(w, r, body); err != nil {
		return err
	}
	stored, ok, err := h.Reports.HarborScan(r.Context(), "harbor", body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"scan": ok, "reports": stored})
	return nil
}

// PostCheck records a CI check's latest status for a digest.
func (h Handlers) PostCheck(w http.ResponseWriter, r *http.Request) error {
	var in supply.CheckInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Reports.PostCheck(r.Context(), h.Actor(r), r.PathValue("digest"), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PostReleaseCheck records a CI check's latest status for release id's
// digest.
func (h Handlers) PostReleaseCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in supply.CheckInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Reports.PostReleaseCheck(r.Context(), h.Actor(r), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// LatestScanReport shows the latest report for a digest: its counts by
// severity and its findings.
func (h Handlers) LatestScanReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.Reports.Latest(r.Context(), r.PathValue("digest"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}
