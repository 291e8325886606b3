package rules

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const maxTrustedRoot = 1 << 20

var (
	cveRE   = regexp.MustCompile(`(?i)^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9:._-]*$`)
	checkRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:/-]*$`)
	prefRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._:-]*(?:/[a-z0-9][a-z0-9._-]*)*$`)
)

func validateSignature(s *Signature) error {
	if len(s.Keys)+len(s.Identities) == 0 {
		return airlock.FieldErrorf("keys", "list at least one key or identity")
	}
	if len(s.Keys) > 16 || len(s.Identities) > 16 {
		return airlock.FieldErrorf("keys", "at most 16 keys and 16 identities")
	}
	for i, k := range s.Keys {
		if _, err := ParsePublicKey(k); err != nil {
			return airlock.FieldErrorf(index("keys", i), "%v", err)
		}
	}
	for i, id := range s.Identities {
		if err := validateIdentity(index("identities", i), id); err != nil {
			return err
		}
	}
	if err := validateRoot(s); err != nil {
		return err
	}
	if s.Threshold == 0 {
		s.Threshold = 1
	}
	if n := len(s.Keys) + len(s.Identities); s.Threshold < 1 || s.Threshold > n {
		return airlock.FieldErrorf("threshold", "must be between 1 and the %d signers listed", n)
	}
	return nil
}

func validateIdentity(field string, id Identity) error {
	if err := checkWord(field+".issuer", id.Issuer, maxText); err != nil {
		return err
	}
	if (id.Subject == "") == (id.SubjectRegexp == "") {
		return airlock.FieldErrorf(field+".subject", "set exactly one of subject and subject_regexp")
	}
	if err := checkText(field+".subject", id.Subject, maxText); err != nil {
		return err
	}
	if err := checkText(field+".subject_regexp", id.SubjectRegexp, maxText); err != nil {
		return err
	}
	if _, err := regexp.Compile(id.SubjectRegexp); err != nil {
		return airlock.FieldErrorf(field+".subject_regexp", "is not a regular expression: %v", err)
	}
	return nil
}

func validateRoot(s *Signature) error {
	switch {
	case len(s.TrustedRoot) == 0 && len(s.Identities) > 0:
		return airlock.FieldErrorf("trusted_root", "is required to verify keyless identities")
	case len(s.TrustedRoot) == 0:
		return nil
	case len(s.TrustedRoot) > maxTrustedRoot:
		return airlock.FieldErrorf("trusted_root", "must be at most %d bytes", maxTrustedRoot)
	}
	if err := checkTrustedRoot(s.TrustedRoot); err != nil {
		return airlock.FieldErrorf("trusted_root", "%v", err)
	}
	// Compact, as JSON encoding would: the stored rule reads back unchanged.
	var buf bytes.Buffer
	if err := json.Compact(&buf, s.TrustedRoot); err != nil {
		return airlock.FieldErrorf("trusted_root", "must be JSON")
	}
	s.TrustedRoot = buf.Bytes()
	return nil
}

var severityLimits = []string{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh}

func validateVulnerabilities(v *Vulnerabilities) error {
	if v.MaxSeverity == "" {
		v.MaxSeverity = SeverityHigh
	}
	if rank(v.MaxSeverity) < 0 || v.MaxSeverity == SeverityCritical || v.MaxSeverity == SeverityNegligible ||
		v.MaxSeverity == SeverityUnknown {
		return airlock.FieldErrorf("max_severity", "must be one of %s", strings.Join(severityLimits, ", "))
	}
	if err := validateCVEs("deny_cves", v.DenyCVEs); err != nil {
		return err
	}
	if err := validateCVEs("allow_cves", v.AllowCVEs); err != nil {
		return err
	}
	_, err := parseDuration("max_report_age", v.MaxReportAge)
	return err
}

func validateCVEs(field string, list []CVEEntry) error {
	if len(list) > maxCVEs {
		return airlock.FieldErrorf(field, "at most %d entries", maxCVEs)
	}
	for i, c := range list {
		f := index(field, i)
		if err := checkWord(f+".id", c.ID, 64); err != nil {
			return err
		}
		if !cveRE.MatchString(c.ID) {
			return airlock.FieldErrorf(f+".id", "must be an identifier such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx")
		}
		if err := checkText(f+".reason", c.Reason, maxText); err != nil {
			return err
		}
	}
	return nil
}

func validateTag(t *Tag) error {
	if len(t.Deny) == 0 && !t.RequireSemver {
		return airlock.FieldErrorf("deny", "list a glob to deny or set require_semver")
	}
	if len(t.Deny) > maxList {
		return airlock.FieldErrorf("deny", "at most %d globs", maxList)
	}
	for i, g := range t.Deny {
		f := index("deny", i)
		if err := checkWord(f, g, 128); err != nil {
			return err
		}
		if _, err := path.Match(g, ""); err != nil {
			return airlock.FieldErrorf(f, "is not a glob: %v", err)
		}
	}
	return nil
}

func validateRegistries(r *Registries) error {
	if len(r.Allow) == 0 || len(r.Allow) > maxList {
		return airlock.FieldErrorf("allow", "list 1 to %d host/path prefixes", maxList)
	}
	for i, p := range r.Allow {
		f := index("allow", i)
		if err := checkWord(f, p, 255); err != nil {
			return err
		}
		r.Allow[i] = strings.TrimSuffix(p, "/")
		if !prefRE.MatchString(r.Allow[i]) {
			return airlock.FieldErrorf(f, "must be a lowercase host[:port] optionally followed by /path")
		}
	}
	return nil
}

func validateAge(a *Age) error {
	if a.MinAge == "" {
		return airlock.FieldErrorf("min_age", "must be set, such as \"72h\"")
	}
	_, err := parseDuration("min_age", a.MinAge)
	return err
}
