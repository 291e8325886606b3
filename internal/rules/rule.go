// Package rules holds the supply-chain rules as pure decisions: given a
// release, the evidence gathered about it and the time, each rule says
// pass, fail or wait, and the verdicts add up to allowed, held or refused.
// Nothing here reads a clock, a database or the network.
package rules

import (
	"encoding/json"
	"time"
)

// Rule kinds.
const (
	KindSignature       = "signature"
	KindVulnerabilities = "vulnerabilities"
	KindTag             = "tag"
	KindRegistries      = "registries"
	KindAge             = "age"
	KindLabels          = "labels"
	KindApprovals       = "approvals"
	KindChecks          = "checks"
	KindTestRing        = "test_ring"
)

// Kinds lists every rule kind.
var Kinds = []string{
	KindSignature, KindVulnerabilities, KindTag, KindRegistries, KindAge,
	KindLabels, KindApprovals, KindChecks, KindTestRing,
}

// Modes: an enforce rule refuses or holds; a warn rule only reports.
const (
	ModeEnforce = "enforce"
	ModeWarn    = "warn"
)

// Rule is one supply-chain rule. Exactly one of the kind fields is set, the
// one Kind names; in JSON its fields sit beside the common ones
// ({"name": "signed", "kind": "signature", "keys": [...]}).
type Rule struct {
	ID           int64  `json:"id,omitempty"`
	Name         string `json:"name"`
	ImagePattern string `json:"image_pattern"`
	Kind         string `json:"kind"`
	Mode         string `json:"mode"`

	Signature       *Signature       `json:"-"`
	Vulnerabilities *Vulnerabilities `json:"-"`
	Tag             *Tag             `json:"-"`
	Registries      *Registries      `json:"-"`
	Age             *Age             `json:"-"`
	Labels          *Labels          `json:"-"`
	Approvals       *Approvals       `json:"-"`
	Checks          *Checks          `json:"-"`
	TestRing        *TestRing        `json:"-"`
}

// Signature asks for signatures by Threshold distinct signers among Keys
// and Identities.
type Signature struct {
	Keys        []string        `json:"keys,omitempty"` // PEM public keys
	Identities  []Identity      `json:"identities,omitempty"`
	TrustedRoot json.RawMessage `json:"trusted_root,omitempty"` // a Sigstore trusted_root.json
	Threshold   int             `json:"threshold,omitempty"`    // default 1
}

// Identity is a keyless signer: the OIDC issuer and the certificate's
// subject, exactly or by regular expression.
type Identity struct {
	Issuer        string `json:"issuer"`
	Subject       string `json:"subject,omitempty"`
	SubjectRegexp string `json:"subject_regexp,omitempty"`
}

// Vulnerabilities bounds the findings of the latest scan report.
type Vulnerabilities struct {
	MaxSeverity   string     `json:"max_severity"` // none|low|medium|high; default high
	DenyCVEs      []CVEEntry `json:"deny_cves,omitempty"`
	AllowCVEs     []CVEEntry `json:"allow_cves,omitempty"`
	RequireReport bool       `json:"require_report,omitempty"`
	MaxReportAge  string     `json:"max_report_age,omitempty"` // a Go duration, "168h"
}

// CVEEntry names a vulnerability to deny or allow, until Expires if set.
type CVEEntry struct {
	ID      string     `json:"id"`
	Expires *time.Time `json:"expires,omitempty"`
	Reason  string     `json:"reason,omitempty"`
}

// Tag refuses tags matching Deny globs and, with RequireSemver, tags that
// are no semantic version.
type Tag struct {
	Deny          []string `json:"deny,omitempty"`
	RequireSemver bool     `json:"require_semver,omitempty"`
}

// Registries admits only repositories under one of the Allow prefixes
// ("ghcr.io/acme", "registry.local:5000").
type Registries struct {
	Allow []string `json:"allow"`
}

// Age is a cool-down from the registry's push time.
type Age struct {
	MinAge string `json:"min_age"` // a Go duration, "72h"
}

// Labels requires OCI config labels or manifest annotations.
type Labels struct {
	Require []LabelRequirement `json:"require"`
}

// LabelRequirement names a label or annotation key and, optionally, a
// regular expression its whole value must match.
type LabelRequirement struct {
	Key     string `json:"key"`
	Pattern string `json:"pattern,omitempty"`
}

// Approvals asks Required distinct approvers to approve.
type Approvals struct {
	Required       int      `json:"required,omitempty"`  // default 1
	Approvers      []string `json:"approvers,omitempty"` // token names or roles; empty: any approver
	SeparateDuties bool     `json:"separate_duties,omitempty"`
	ExpiresAfter   string   `json:"expires_after,omitempty"` // a Go duration
}

// Checks asks for every named check to have succeeded.
type Checks struct {
	Required []string `json:"required"`
}

// TestRing rolls releases that pass every other rule out to the devices
// Selector picks before approval; AutoApprove approves on success.
type TestRing struct {
	Selector    map[string]string `json:"selector"`
	AutoApprove bool              `json:"auto_approve,omitempty"`
}
