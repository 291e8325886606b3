package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// judgeSignature passes once Threshold distinct signers have verified.
// Anything less waits, untrusted signatures included: a trusted signature
// may still be pushed, and until then the release goes nowhere.
func judgeSignature(v *Verdict, s *Signature, ev SignatureEvidence) {
	var signers []string
	for _, id := range ev.Signers {
		if id != "" && !slices.Contains(signers, id) {
			signers = append(signers, id)
		}
	}
	need, total := max(s.Threshold, 1), len(s.Keys)+len(s.Identities)
	if len(signers) >= need {
		v.Result, v.Reason = Pass, fmt.Sprintf("signed by %d of %d trusted signers", len(signers), total)
		return
	}
	v.Result, v.WaitingFor = Wait, "signature"
	if len(signers) > 0 || need > 1 {
		v.WaitingFor = plural(need-len(signers), "more signature")
	}
	v.Reason = fmt.Sprintf("%d of the %d trusted signatures required", len(signers), need)
	if len(ev.Rejected) > 0 {
		v.Reason += "; not counted: " + summary(ev.Rejected, 3)
	}
}

// judgeVulnerabilities holds a release whose latest report breaks the
// limits: a newer report or an allow-list entry can still clear it.
func judgeVulnerabilities(v *Verdict, rule *Vulnerabilities, scan *ScanReport, now time.Time) {
	switch maxAge, _ := parseDuration("max_report_age", rule.MaxReportAge); {
	case scan == nil && rule.RequireReport:
		v.Result, v.WaitingFor, v.Reason = Wait, "scan report", "no scan report for this digest yet"
		return
	case scan == nil:
		v.Result, v.Reason = Pass, "no scan report, and none is required"
		return
	case maxAge > 0 && now.Sub(scan.ScannedAt) > maxAge:
		v.Result, v.WaitingFor = Wait, "fresh scan report"
		v.Reason = fmt.Sprintf("the latest report, of %s, is older than %s", scan.ScannedAt.UTC().Format(time.RFC3339), rule.MaxReportAge)
		return
	}
	bad := violations(rule, scan, now)
	if len(bad) == 0 {
		v.Result, v.Reason = Pass, fmt.Sprintf("no finding above %s in the %s report", rule.MaxSeverity, scan.Scanner)
		return
	}
	v.Result, v.WaitingFor = Wait, "clean scan report"
	v.Reason = summary(bad, 3)
}

func violations(rule *Vulnerabilities, scan *ScanReport, now time.Time) []string {
	limit := rank(rule.MaxSeverity)
	var bad []string
	for _, f := range scan.Findings {
		switch {
		case listed(rule.AllowCVEs, f.ID, now):
		case listed(rule.DenyCVEs, f.ID, now):
			bad = append(bad, fmt.Sprintf("%s in %s is denied", f.ID, f.Package))
		case rank(f.Severity) > limit:
			bad = append(bad, fmt.Sprintf("%s in %s is %s, above %s", f.ID, f.Package, f.Severity, rule.MaxSeverity))
		}
	}
	if len(scan.Findings) > 0 {
		return bad
	}
	for _, sev := range Severities {
		if n := scan.Counts[sev]; n > 0 && rank(sev) > limit {
			bad = append(bad, fmt.Sprintf("%s, above %s", plural(n, sev+" finding"), rule.MaxSeverity))
		}
	}
	return bad
}

func listed(list []CVEEntry, id string, now time.Time) bool {
	return slices.ContainsFunc(list, func(c CVEEntry) bool {
		return strings.EqualFold(c.ID, id) && (c.Expires == nil || now.Before(*c.Expires))
	})
}

func judgeTag(v *Verdict, t *Tag, tag string) {
	for _, g := range t.Deny {
		if ok, _ := path.Match(g, tag); ok {
			v.Result, v.Reason = Fail, fmt.Sprintf("tag %q is denied by %q", tag, g)
			return
		}
	}
	if t.RequireSemver {
		if _, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v")); err != nil {
			v.Result, v.Reason = Fail, fmt.Sprintf("tag %q is not a semantic version", tag)
			return
		}
	}
	v.Result, v.Reason = Pass, fmt.Sprintf("tag %q is allowed", tag)
}

func judgeRegistries(v *Verdict, r *Registries, repo string) {
	for _, p := range r.Allow {
		if repo == p || strings.HasPrefix(repo, p+"/") {
			v.Result, v.Reason = Pass, fmt.Sprintf("%s is under %s", repo, p)
			return
		}
	}
	v.Result, v.Reason = Fail, fmt.Sprintf("%s is under none of the allowed registries", repo)
}

// judgeAge counts from the registry's push time, never the image's
// created time, which reproducible builds set to 1970.
func judgeAge(v *Verdict, a *Age, pushedAt, now time.Time) {
	d, err := parseDuration("min_age", a.MinAge)
	switch until := pushedAt.Add(d); {
	case err != nil:
		v.Result, v.Reason = Fail, "the rule is invalid"
	case pushedAt.IsZero():
		v.Result, v.WaitingFor, v.Reason = Wait, "push time", "the registry's push time is unknown"
	case now.Before(until):
		v.Result, v.Until = Wait, until
		v.WaitingFor = "age until " + until.UTC().Format(time.RFC3339)
		v.Reason = fmt.Sprintf("pushed %s ago; the cool-down is %s", now.Sub(pushedAt).Round(time.Second), a.MinAge)
	default:
		v.Result, v.Reason = Pass, fmt.Sprintf("pushed more than %s ago", a.MinAge)
	}
}
