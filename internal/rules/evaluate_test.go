package rules

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func rule(t *testing.T, s string) Rule {
	t.Helper()
	r, err := parse(t, s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return r
}

func release() Release {
	return Release{
		Repository: "ghcr.io/acme/app", Tag: "v1.2.3", Digest: "sha256:" + strings.Repeat("ab", 32),
		PushedAt: now.Add(-time.Hour), Pusher: "alice",
		Labels:      map[string]string{"org.opencontainers.image.source": "https://github.com/acme/app"},
		Annotations: map[string]string{"org.opencontainers.image.revision": "abc123"},
	}
}

func report(sev ...string) *ScanReport {
	r := &ScanReport{Scanner: "trivy", ScannedAt: now.Add(-time.Hour), Counts: map[string]int{}}
	for i, s := range sev {
		r.Findings = append(r.Findings, Finding{ID: "CVE-2026-" + string(rune('1'+i)), Severity: s, Package: "openssl"})
		r.Counts[s]++
	}
	return r
}

func TestEvaluateKinds(t *testing.T) {
	const h = `{"name":"r","image_pattern":"ghcr.io/acme/*","kind":`
	tests := []struct {
		name    string
		rule    string
		mutate  func(*Release, *Evidence)
		result  string
		waiting string
	}{
		{"tag denied", h + `"tag","deny":["latest","*-rc*"]}`, func(r *Release, _ *Evidence) { r.Tag = "latest" }, Fail, ""},
		{"tag glob", h + `"tag","deny":["*-rc*"]}`, func(r *Release, _ *Evidence) { r.Tag = "2.0-rc1" }, Fail, ""},
		{"tag allowed", h + `"tag","deny":["latest"]}`, nil, Pass, ""},
		{"semver ok", h + `"tag","require_semver":true}`, nil, Pass, ""},
		{"semver not", h + `"tag","require_semver":true}`, func(r *Release, _ *Evidence) { r.Tag = "1.2" }, Fail, ""},
		{"registry allowed", h + `"registries","allow":["ghcr.io/acme"]}`, nil, Pass, ""},
		{"registry prefix is a segment", h + `"registries","allow":["ghcr.io/ac"]}`, nil, Fail, ""},
		{"age waits", h + `"age","min_age":"72h"}`, nil, Wait, "age until 2026-12-05T11:00:00Z"},
		{"age passes", h + `"age","min_age":"30m"}`, nil, Pass, ""},
		{"age unknown push", h + `"age","min_age":"1h"}`, func(r *Release, _ *Evidence) { r.PushedAt = time.Time{} }, Wait, "push time"},
		{"label present", h + `"labels","require":[{"key":"org.opencontainers.image.source","pattern":"https://github.com/acme/.*"},{"key":"org.opencontainers.image.revision"}]}`, nil, Pass, ""},
		{"label pattern is whole", h + `"labels","require":[{"key":"org.opencontainers.image.source","pattern":"github"}]}`, nil, Fail, ""},
		{"label missing", h + `"labels","require":[{"key":"x"}]}`, nil, Fail, ""},
		{"checks wait", h + `"checks","required":["smoke","integration"]}`, func(_ *Release, e *Evidence) {
			e.Checks = map[string]Check{"smoke": {Status: CheckSuccess}, "integration": {Status: CheckPending}}
		}, Wait, "check integration"},
		{"checks fail", h + `"checks","required":["smoke","integration"]}`, func(_ *Release, e *Evidence) {
			e.Checks = map[string]Check{"integration": {Status: CheckFailure}}
		}, Fail, ""},
		{"checks pass", h + `"checks","required":["smoke"]}`, func(_ *Release, e *Evidence) {
			e.Checks = map[string]Check{"smoke": {Status: CheckSuccess}}
		}, Pass, ""},
		{"no approval request", h + `"approvals","required":2}`, nil, Wait, "2 approvals"},
		{"test ring", h + `"test_ring","selector":{"ring":"lab"}}`, nil, Pass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, ev := release(), Evidence{}
			if tt.mutate != nil {
				tt.mutate(&rel, &ev)
			}
			out := Evaluate([]Rule{rule(t, tt.rule)}, rel, ev, now)
			if len(out.Verdicts) != 1 {
				t.Fatalf("verdicts %+v", out.Verdicts)
			}
			v := out.Verdicts[0]
			if v.Result != tt.result || v.WaitingFor != tt.waiting || v.Reason == "" {
				t.Fatalf("got %+v, want %s waiting for %q", v, tt.result, tt.waiting)
			}
		})
	}
}

func TestEvaluateVulnerabilities(t *testing.T) {
	const h = `{"name":"vulns","image_pattern":"ghcr.io/acme/*","kind":"vulnerabilities"`
	expired, future := `"2026-12-01T00:00:00Z"`, `"2027-01-01T00:00:00Z"`
	tests := []struct {
		name, rule string
		scan       *ScanReport
		result     string
		waiting    string
	}{
		{"no report, not required", h + `}`, nil, Pass, ""},
		{"no report, required", h + `,"require_report":true}`, nil, Wait, "scan report"},
		{"critical above high holds", h + `,"max_severity":"high"}`, report("high", "critical"), Wait, "clean scan report"},
		{"high under high passes", h + `,"max_severity":"high"}`, report("high", "medium"), Pass, ""},
		{"none refuses negligible", h + `,"max_severity":"none"}`, report("negligible"), Wait, "clean scan report"},
		{"clean report passes none", h + `,"max_severity":"none","require_report":true}`, report(), Pass, ""},
		{"allowed CVE", h + `,"max_severity":"low","allow_cves":[{"id":"CVE-2026-1","expires":` + future + `}]}`, report("critical"), Pass, ""},
		{"expired allowance", h + `,"max_severity":"low","allow_cves":[{"id":"CVE-2026-1","expires":` + expired + `}]}`, report("critical"), Wait, "clean scan report"},
		{"denied CVE", h + `,"deny_cves":[{"id":"cve-2026-1"}]}`, report("low"), Wait, "clean scan report"},
		{"expired denial", h + `,"deny_cves":[{"id":"CVE-2026-1","expires":` + expired + `}]}`, report("low"), Pass, ""},
		{"stale report", h + `,"max_report_age":"30m"}`, report(), Wait, "fresh scan report"},
		{"counts only", h + `,"max_severity":"medium"}`, &ScanReport{Scanner: "harbor", ScannedAt: now, Counts: map[string]int{"high": 2}}, Wait, "clean scan report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Evaluate([]Rule{rule(t, tt.rule)}, release(), Evidence{Scan: tt.scan}, now)
			v := out.Verdicts[0]
			if v.Result != tt.result || v.WaitingFor != tt.waiting {
				t.Fatalf("got %+v, want %s waiting for %q", v, tt.result, tt.waiting)
			}
		})
	}
}

func TestEvaluateSignature(t *testing.T) {
	k1, _, k2, _ := testKeys(t)
	keys, _ := json.Marshal([]string{k1, k2})
	one := rule(t, `{"name":"signed","image_pattern":"ghcr.io/acme/*","kind":"signature","keys":`+string(keys)+`}`)
	two := rule(t, `{"name":"two","image_pattern":"ghcr.io/acme/*","kind":"signature","keys":`+string(keys)+`,"threshold":2}`)
	tests := []struct {
		rule    Rule
		ev      SignatureEvidence
		result  string
		waiting string
	}{
		{one, SignatureEvidence{}, Wait, "signature"},
		{one, SignatureEvidence{Rejected: []string{"signed by an untrusted key"}}, Wait, "signature"},
		{one, SignatureEvidence{Signers: []string{"sha256:a"}}, Pass, ""},
		{two, SignatureEvidence{Signers: []string{"sha256:a", "sha256:a"}}, Wait, "1 more signature"},
		{two, SignatureEvidence{}, Wait, "2 more signatures"},
		{two, SignatureEvidence{Signers: []string{"sha256:a", "sha256:b"}}, Pass, ""},
	}
	for i, tt := range tests {
		ev := Evidence{Signatures: map[string]SignatureEvidence{tt.rule.Name: tt.ev}}
		v := Evaluate([]Rule{tt.rule}, release(), ev, now).Verdicts[0]
		if v.Result != tt.result || v.WaitingFor != tt.waiting {
			t.Errorf("%d: got %+v, want %s waiting for %q", i, v, tt.result, tt.waiting)
		}
		if len(tt.ev.Rejected) > 0 && !strings.Contains(v.Reason, "untrusted key") {
			t.Errorf("%d: reason %q does not say why a signature did not count", i, v.Reason)
		}
	}
}

func TestEvaluateAggregate(t *testing.T) {
	deny := rule(t, `{"name":"no-latest","image_pattern":"redis","kind":"tag","deny":["latest"]}`)
	warnDeny := rule(t, `{"name":"warn-latest","image_pattern":"redis","kind":"tag","deny":["latest"],"mode":"warn"}`)
	age := rule(t, `{"name":"cool","image_pattern":"redis","kind":"age","min_age":"72h"}`)
	shortAge := rule(t, `{"name":"cool-short","image_pattern":"redis","kind":"age","min_age":"2h"}`)
	other := rule(t, `{"name":"other","image_pattern":"ghcr.io/acme/*","kind":"tag","deny":["*"]}`)
	redis := Release{Repository: "docker.io/library/redis", Tag: "latest", PushedAt: now.Add(-time.Hour)}
	tests := []struct {
		name   string
		rules  []Rule
		rel    Release
		status string
		rule   string
		until  time.Time
		n      int
	}{
		{"no rules", nil, redis, Allowed, "", time.Time{}, 0},
		{"pattern does not match", []Rule{other}, redis, Allowed, "", time.Time{}, 0},
		{"enforce fail refuses", []Rule{age, deny, other}, redis, Refused, "no-latest", time.Time{}, 2},
		{"warn never refuses", []Rule{warnDeny}, redis, Allowed, "", time.Time{}, 1},
		{"wait holds with earliest end", []Rule{age, shortAge}, withTag(redis, "7"), Held, "", now.Add(time.Hour), 2},
	}
	for _, tt := range tests {
		out := Evaluate(tt.rules, tt.rel, Evidence{}, now)
		if out.Status != tt.status || out.Rule != tt.rule || !out.Until.Equal(tt.until) || len(out.Verdicts) != tt.n {
			t.Errorf("%s: got %+v", tt.name, out)
		}
	}
	broken := Rule{Name: "broken", ImagePattern: "redis", Kind: KindAge}
	if out := Evaluate([]Rule{broken}, redis, Evidence{}, now); out.Status != Refused {
		t.Errorf("a rule without its fields: %+v", out)
	}
}

func withTag(r Release, tag string) Release { r.Tag = tag; return r }

func TestTestRings(t *testing.T) {
	ring := rule(t, `{"name":"lab","image_pattern":"ghcr.io/acme/*","kind":"test_ring","selector":{"ring":"lab"}}`)
	tag := rule(t, `{"name":"t","image_pattern":"ghcr.io/acme/*","kind":"tag","deny":["latest"]}`)
	got := TestRings([]Rule{tag, ring}, release())
	if len(got) != 1 || got[0].TestRing.Selector["ring"] != "lab" {
		t.Fatalf("TestRings = %+v", got)
	}
}
