package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// Bounds on a scan report: an image with a whole distribution in it has a
// few thousand findings, not a hundred thousand.
const (
	MaxReportBytes = 32 << 20
	maxFindings    = 100_000
	maxFieldLen    = 512
)

// DecodeReport reads a Trivy (SchemaVersion 2) or Grype JSON report,
// telling them apart by their shape. The digest comes from the report
// itself; the scan time from the report, never later than received.
// Malformed JSON is an EBADREQUEST; a report that is not one of these, or
// names no single digest, an EINVALID.
func DecodeReport(body []byte, received time.Time) (rules.ScanReport, error) {
	if len(body) > MaxReportBytes {
		return rules.ScanReport{}, airlock.Errorf(airlock.ETOOLARGE, "a scan report must be at most %d bytes", MaxReportBytes)
	}
	var probe struct {
		SchemaVersion json.RawMessage `json:"SchemaVersion"`
		Matches       json.RawMessage `json:"matches"`
		Source        json.RawMessage `json:"source"`
	}
	if err := decodeJSON(body, &probe); err != nil {
		return rules.ScanReport{}, err
	}
	var r rules.ScanReport
	var err error
	switch {
	case probe.SchemaVersion != nil && probe.Matches == nil:
		r, err = decodeTrivy(body)
	case probe.Matches != nil && probe.Source != nil:
		r, err = decodeGrype(body)
	default:
		return rules.ScanReport{}, airlock.Errorf(airlock.EINVALID,
			"not a Trivy (SchemaVersion 2) or Grype JSON report; run trivy or grype with --format json")
	}
	if err != nil {
		return rules.ScanReport{}, err
	}
	finish(&r, received)
	return r, nil
}

// finish dedups findings, counts them by severity and bounds the time.
func finish(r *rules.ScanReport, received time.Time) {
	type key struct{ id, pkg, version string }
	seen := map[key]bool{}
	out := r.Findings[:0]
	for _, f := range r.Findings {
		k := key{f.ID, f.Package, f.InstalledVersion}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	r.Findings = out
	if r.Counts == nil {
		r.Counts = countBySeverity(r.Findings)
	}
	if r.ScannedAt.IsZero() || r.ScannedAt.After(received) {
		r.ScannedAt = received
	}
	r.ScannedAt = r.ScannedAt.UTC()
}

func countBySeverity(fs []rules.Finding) map[string]int {
	counts := map[string]int{}
	for _, s := range rules.Severities {
		counts[s] = 0
	}
	for _, f := range fs {
		counts[f.Severity]++
	}
	return counts
}

// NormalizeSeverity maps every scanner's spelling onto rules' severities.
func NormalizeSeverity(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return rules.SeverityCritical
	case "high", "important":
		return rules.SeverityHigh
	case "medium", "moderate":
		return rules.SeverityMedium
	case "low":
		return rules.SeverityLow
	case "negligible":
		return rules.SeverityNegligible
	}
	return rules.SeverityUnknown
}

// singleDigest picks the one digest named by refs ("repo@sha256:…" or a
// bare digest); several different ones or none is an EINVALID on field.
func singleDigest(field string, refs ...string) (string, error) {
	digest := ""
	for _, ref := range refs {
		if i := strings.LastIndexByte(ref, '@'); i >= 0 {
			ref = ref[i+1:]
		}
		switch {
		case !digestRE.MatchString(ref):
		case digest == "":
			digest = ref
		case digest != ref:
			return "", airlock.FieldErrorf(field, "names several digests (%s, %s); scan one image by digest", digest, ref)
		}
	}
	if digest == "" {
		return "", airlock.FieldErrorf(field, "names no registry digest: scan the image from its registry, or by digest")
	}
	return digest, nil
}

// finding checks one finding's text, naming the report's own field at fault.
func finding(field, id, severity, pkg, installed, fixed string) (rules.Finding, error) {
	if id == "" {
		return rules.Finding{}, airlock.FieldErrorf(field, "has no vulnerability id")
	}
	for _, s := range []string{id, pkg, installed, fixed} {
		if len(s) > maxFieldLen || !checkValue(s) {
			return rules.Finding{}, airlock.FieldErrorf(field, "holds a value that is too long, not UTF-8 or has NUL")
		}
	}
	return rules.Finding{ID: id, Severity: NormalizeSeverity(severity), Package: pkg,
		InstalledVersion: installed, FixedVersion: fixed}, nil
}

// checkValue refuses text PostgreSQL cannot store.
func checkValue(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// decodeJSON unmarshals a report, describing failures in the sender's
// terms: malformed JSON is an EBADREQUEST, a wrongly typed field an
// EINVALID naming it.
func decodeJSON(body []byte, v any) error {
	err := json.NewDecoder(bytes.NewReader(body)).Decode(v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return airlock.Errorf(airlock.EBADREQUEST, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ) && typ.Field != "":
		return airlock.FieldErrorf(typ.Field, "has the wrong type (a JSON %s)", typ.Value)
	case errors.As(err, &typ):
		return airlock.Errorf(airlock.EBADREQUEST, "want a JSON object, not a JSON %s", typ.Value)
	}
	return airlock.Errorf(airlock.EBADREQUEST, "malformed JSON: %v", err)
}

func tooMany(field string, n int) error {
	if n > maxFindings {
		return airlock.FieldErrorf(field, "more than %d findings", maxFindings)
	}
	return nil
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
