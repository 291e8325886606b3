package rules

import (
	"strings"
	"time"
)

// Release is what a rule judges: one pushed digest under a tag.
type Release struct {
	Repository  string            `json:"repository"` // normalised, with its host: "docker.io/library/redis"
	Tag         string            `json:"tag"`
	Digest      string            `json:"digest"`
	Platforms   []string          `json:"platforms,omitempty"`
	PushedAt    time.Time         `json:"pushed_at"` // the registry's push time; zero if unknown
	Pusher      string            `json:"pusher,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`      // OCI config labels
	Annotations map[string]string `json:"annotations,omitempty"` // manifest annotations
}

// Host is the registry host of the release's repository.
func (r Release) Host() string {
	host, _, _ := strings.Cut(r.Repository, "/")
	return host
}

// Evidence is everything gathered about a release so far. A nil or empty
// member means none has arrived yet.
type Evidence struct {
	// Signatures holds, per signature rule name, the signers that
	// internal/verify found valid for the release's digest.
	Signatures map[string]SignatureEvidence `json:"signatures,omitempty"`
	Scan       *ScanReport                  `json:"scan,omitempty"` // the latest report for the digest
	Approval   *ApprovalRequest             `json:"approval,omitempty"`
	Checks     map[string]Check             `json:"checks,omitempty"` // by check name
}

// SignatureEvidence is the outcome of verifying the signatures found for a
// release against one signature rule.
type SignatureEvidence struct {
	Signers  []string `json:"signers"`            // distinct KeyID or IdentityID values that verified
	Rejected []string `json:"rejected,omitempty"` // why signatures found did not count
}

// Severities, normalised from every scanner's spelling.
const (
	SeverityNone       = "none" // only as a limit: no finding at all
	SeverityUnknown    = "unknown"
	SeverityNegligible = "negligible"
	SeverityLow        = "low"
	SeverityMedium     = "medium"
	SeverityHigh       = "high"
	SeverityCritical   = "critical"
)

// Severities lists the severities of findings, most severe first.
var Severities = []string{
	SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityNegligible, SeverityUnknown,
}

// rank orders severities; -1 for anything else. Unknown and negligible
// sit above none so that max_severity none means no finding at all.
func rank(s string) int {
	switch s {
	case SeverityNone:
		return 0
	case SeverityUnknown, SeverityNegligible:
		return 1
	case SeverityLow:
		return 2
	case SeverityMedium:
		return 3
	case SeverityHigh:
		return 4
	case SeverityCritical:
		return 5
	}
	return -1
}

// ScanReport is a vulnerability report for one digest.
type ScanReport struct {
	Scanner   string         `json:"scanner"` // trivy, grype, harbor
	Digest    string         `json:"digest"`
	ScannedAt time.Time      `json:"scanned_at"`
	Findings  []Finding      `json:"findings"`
	Counts    map[string]int `json:"counts"` // by severity; Harbor sends counts without findings
}

// Finding is one vulnerability in one package.
type Finding struct {
	ID               string `json:"id"`
	Severity         string `json:"severity"`
	Package          string `json:"package"`
	InstalledVersion string `json:"installed_version,omitempty"`
	FixedVersion     string `json:"fixed_version,omitempty"`
}

// Check statuses, as CI systems report them.
const (
	CheckPending = "pending"
	CheckSuccess = "success"
	CheckFailure = "failure"
)

// Check is the latest status a CI system or test rig reported for a name.
type Check struct {
	Status  string `json:"status"`
	URL     string `json:"url,omitempty"`
	Summary string `json:"summary,omitempty"`
}
