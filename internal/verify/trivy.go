package verify

import (
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

type trivyReport struct {
	SchemaVersion int       `json:"SchemaVersion"`
	CreatedAt     time.Time `json:"CreatedAt"`
	ArtifactName  string    `json:"ArtifactName"`
	Metadata      struct {
		RepoDigests []string `json:"RepoDigests"`
	} `json:"Metadata"`
	Results []struct {
		Vulnerabilities []struct {
			VulnerabilityID  string `json:"VulnerabilityID"`
			PkgName          string `json:"PkgName"`
			InstalledVersion string `json:"InstalledVersion"`
			FixedVersion     string `json:"FixedVersion"`
			Severity         string `json:"Severity"`
		} `json:"Vulnerabilities"`
	} `json:"Results"`
}

// decodeTrivy reads `trivy image --format json`. The digest is the
// registry's, from Metadata.RepoDigests or an ArtifactName by digest.
func decodeTrivy(body []byte) (rules.ScanReport, error) {
	var t trivyReport
	if err := decodeJSON(body, &t); err != nil {
		return rules.ScanReport{}, err
	}
	if t.SchemaVersion != 2 {
		return rules.ScanReport{}, airlock.FieldErrorf("SchemaVersion", "must be 2, not %d: use Trivy 0.20 or later", t.SchemaVersion)
	}
	digest, err := singleDigest("Metadata.RepoDigests", append(t.Metadata.RepoDigests, t.ArtifactName)...)
	if err != nil {
		return rules.ScanReport{}, err
	}
	r := rules.ScanReport{Scanner: "trivy", Digest: digest, ScannedAt: t.CreatedAt, Findings: []rules.Finding{}}
	for i, res := range t.Results {
		for j, v := range res.Vulnerabilities {
			field := index(index("Results", i)+".Vulnerabilities", j)
			f, err := finding(field, v.VulnerabilityID, v.Severity, v.PkgName, v.InstalledVersion, v.FixedVersion)
			if err != nil {
				return rules.ScanReport{}, err
			}
			r.Findings = append(r.Findings, f)
		}
		if err := tooMany("Results", len(r.Findings)); err != nil {
			return rules.ScanReport{}, err
		}
	}
	return r, nil
}
