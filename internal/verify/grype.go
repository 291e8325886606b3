package verify

import (
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/rules"
)

type grypeReport struct {
	Matches []struct {
		Vulnerability struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Fix      struct {
				Versions []string `json:"versions"`
			} `json:"fix"`
		} `json:"vulnerability"`
		Artifact struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"artifact"`
	} `json:"matches"`
	Source struct {
		Target struct {
			RepoDigests    []string `json:"repoDigests"`
			ManifestDigest string   `json:"manifestDigest"`
		} `json:"target"`
	} `json:"source"`
	Descriptor struct {
		Timestamp time.Time `json:"timestamp"`
	} `json:"descriptor"`
}

// decodeGrype reads `grype -o json`. The registry's digest is in
// source.target.repoDigests; manifestDigest, the digest of the manifest
// grype read, stands in when there is none.
func decodeGrype(body []byte) (rules.ScanReport, error) {
	var g grypeReport
	if err := decodeJSON(body, &g); err != nil {
		return rules.ScanReport{}, err
	}
	if err := tooMany("matches", len(g.Matches)); err != nil {
		return rules.ScanReport{}, err
	}
	refs := g.Source.Target.RepoDigests
	if len(refs) == 0 {
		refs = []string{g.Source.Target.ManifestDigest}
	}
	digest, err := singleDigest("source.target.repoDigests", refs...)
	if err != nil {
		return rules.ScanReport{}, err
	}
	r := rules.ScanReport{Scanner: "grype", Digest: digest, ScannedAt: g.Descriptor.Timestamp, Findings: []rules.Finding{}}
	for i, m := range g.Matches {
		v := m.Vulnerability
		f, err := finding(index("matches", i), v.ID, v.Severity, m.Artifact.Name, m.Artifact.Version,
			strings.Join(v.Fix.Versions, ", "))
		if err != nil {
			return rules.ScanReport{}, err
		}
		r.Findings = append(r.Findings, f)
	}
	return r, nil
}
