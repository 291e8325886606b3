package verify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

const gatewayDigest = "sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f"

var received = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func counts(critical, high, medium, low, negligible, unknown int) map[string]int {
	return map[string]int{
		rules.SeverityCritical: critical, rules.SeverityHigh: high, rules.SeverityMedium: medium,
		rules.SeverityLow: low, rules.SeverityNegligible: negligible, rules.SeverityUnknown: unknown,
	}
}

func TestDecodeReportFixtures(t *testing.T) {
	tests := []struct {
		file, scanner string
		scannedAt     time.Time
		counts        map[string]int
		first         rules.Finding
	}{
		{"trivy.json", "trivy", time.Date(2026, 11, 30, 9, 14, 22, 418305512, time.UTC), counts(2, 0, 1, 2, 0, 1),
			rules.Finding{ID: "CVE-2024-5535", Severity: "critical", Package: "libssl3", InstalledVersion: "3.0.14-1~deb12u1", FixedVersion: "3.0.15-1~deb12u1"}},
		{"trivy-clean.json", "trivy", time.Date(2026, 12, 1, 7, 2, 11, 9100000, time.UTC), counts(0, 0, 0, 0, 0, 0), rules.Finding{}},
		{"grype.json", "grype", time.Date(2026, 11, 30, 14, 20, 1, 507191000, time.UTC), counts(2, 0, 0, 1, 1, 0),
			rules.Finding{ID: "CVE-2024-5535", Severity: "critical", Package: "libssl3", InstalledVersion: "3.0.14-1~deb12u1", FixedVersion: "3.0.15-1~deb12u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := DecodeReport(fixture(t, tt.file), received)
			if err != nil {
				t.Fatal(err)
			}
			if r.Scanner != tt.scanner || r.Digest != gatewayDigest || !r.ScannedAt.Equal(tt.scannedAt) {
				t.Fatalf("got %s %s %s", r.Scanner, r.Digest, r.ScannedAt)
			}
			if diff := cmp.Diff(tt.counts, r.Counts); diff != "" {
				t.Fatalf("counts (-want +got):\n%s", diff)
			}
			if len(r.Findings) > 0 && r.Findings[0] != tt.first {
				t.Fatalf("first finding %+v", r.Findings[0])
			}
		})
	}
}

// TestReportGatesRelease: the Trivy fixture's critical findings hold a
// release under max_severity high; the clean report releases it.
func TestReportGatesRelease(t *testing.T) {
	rule := rules.Rule{Name: "vulns", ImagePattern: "ghcr.io/acme/*", Kind: rules.KindVulnerabilities,
		Vulnerabilities: &rules.Vulnerabilities{MaxSeverity: rules.SeverityHigh, RequireReport: true}}
	if err := rules.Validate(&rule); err != nil {
		t.Fatal(err)
	}
	rel := rules.Release{Repository: "ghcr.io/acme/gateway", Tag: "1.4.2", Digest: gatewayDigest}
	for file, want := range map[string]string{"trivy.json": rules.Held, "grype.json": rules.Held, "trivy-clean.json": rules.Allowed} {
		r, err := DecodeReport(fixture(t, file), received)
		if err != nil {
			t.Fatal(err)
		}
		if out := rules.Evaluate([]rules.Rule{rule}, rel, rules.Evidence{Scan: &r}, received); out.Status != want {
			t.Errorf("%s: %+v, want %s", file, out, want)
		}
	}
}

func TestDecodeReportErrors(t *testing.T) {
	d := func(s string) string { return strings.ReplaceAll(s, "D", gatewayDigest) }
	tests := []struct{ body, code, field string }{
		{`{"SchemaVersion": 2, "ArtifactName": "x`, airlock.EBADREQUEST, ""},
		{`[1, 2]`, airlock.EBADREQUEST, ""},
		{``, airlock.EBADREQUEST, ""},
		{`{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": []}`, airlock.EINVALID, "Metadata.RepoDigests"},
		{`{"bomFormat": "CycloneDX"}`, airlock.EINVALID, ""},
		{d(`{"SchemaVersion": 1, "ArtifactName": "x@D"}`), airlock.EINVALID, "SchemaVersion"},
		{`{"SchemaVersion": 2, "ArtifactName": "app:1", "Metadata": {"RepoDigests": []}}`, airlock.EINVALID, "Metadata.RepoDigests"},
		{d(`{"SchemaVersion": 2, "Metadata": {"RepoDigests": ["a@D", "b@sha256:` + strings.Repeat("0", 64) + `"]}}`), airlock.EINVALID, "Metadata.RepoDigests"},
		{d(`{"SchemaVersion": 2, "ArtifactName": "a@D", "Results": [{"Vulnerabilities": [{"PkgName": "x"}]}]}`), airlock.EINVALID, "Results[0].Vulnerabilities[0]"},
		{d(`{"SchemaVersion": 2, "ArtifactName": "a@D", "Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-1\u0000"}]}]}`), airlock.EINVALID, "Results[0].Vulnerabilities[0]"},
		{d(`{"SchemaVersion": 2, "ArtifactName": "a@D", "Results": {}}`), airlock.EINVALID, "Results"},
		{`{"matches": [], "source": {"target": {"userInput": "alpine"}}}`, airlock.EINVALID, "source.target.repoDigests"},
		{d(`{"matches": [{"vulnerability": {"id": 7}}], "source": {"target": {"manifestDigest": "D"}}}`), airlock.EINVALID, "matches.vulnerability.id"},
	}
	for _, tt := range tests {
		_, err := DecodeReport([]byte(tt.body), received)
		var e *airlock.Error
		if err == nil || airlock.ErrorCode(err) != tt.code || (tt.field != "" && (!errors.As(err, &e) || e.Field != tt.field)) {
			t.Errorf("%s: got %v, want %s on %q", tt.body, err, tt.code, tt.field)
		}
	}
}

func TestDecodeReportClampsTime(t *testing.T) {
	body := `{"SchemaVersion": 2, "CreatedAt": "2099-01-01T00:00:00Z", "ArtifactName": "a@` + gatewayDigest + `"}`
	r, err := DecodeReport([]byte(body), received)
	if err != nil || !r.ScannedAt.Equal(received) {
		t.Fatalf("a report from the future: %v, %v", r.ScannedAt, err)
	}
}

func TestDecodeHarborScan(t *testing.T) {
	reports, ok, err := DecodeHarborScan(fixture(t, "harbor-scanning-completed.json"), received)
	if err != nil || !ok || len(reports) != 1 {
		t.Fatalf("got %+v, %v, %v", reports, ok, err)
	}
	r := reports[0]
	if r.Scanner != "harbor/trivy" || r.Digest != gatewayDigest || !r.ScannedAt.Equal(time.Date(2026, 11, 30, 9, 19, 35, 0, time.UTC)) {
		t.Fatalf("report %+v", r)
	}
	if diff := cmp.Diff(counts(2, 7, 1, 2, 0, 1), r.Counts); diff != "" {
		t.Fatalf("counts (-want +got):\n%s", diff)
	}
	push, err := os.ReadFile("../webhook/testdata/harbor.json")
	if err != nil {
		t.Fatal(err)
	}
	if reports, ok, err := DecodeHarborScan(push, received); ok || err != nil || reports != nil {
		t.Fatalf("a push event: %v, %v, %v", reports, ok, err)
	}
	failed := `{"type":"SCANNING_COMPLETED","event_data":{"resources":[{"digest":"` + gatewayDigest +
		`","scan_overview":{"application/vnd.security.vulnerability.report; version=1.1":{"scan_status":"Error"}}}]}}`
	if reports, ok, err := DecodeHarborScan([]byte(failed), received); !ok || err != nil || len(reports) != 0 {
		t.Fatalf("a failed scan: %v, %v, %v", reports, ok, err)
	}
	if _, _, err := DecodeHarborScan([]byte(`{"type":"SCANNING_COMPLETED"}`), received); airlock.ErrorCode(err) != airlock.EINVALID {
		t.Fatalf("no event data: %v", err)
	}
}
