package rules

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// FuzzRule decodes and validates arbitrary JSON: it never panics, every
// refusal of a well-formed object is an EINVALID naming a field, and a
// valid rule survives a JSON round trip unchanged and evaluates.
func FuzzRule(f *testing.F) {
	k, _, ed, _ := testKeys(f)
	h := `{"name":"r","image_pattern":"ghcr.io/acme/*:v*","kind":`
	for _, s := range []string{
		h + `"tag","deny":["latest","*-rc*"],"require_semver":true}`,
		h + `"signature","keys":[` + strconv.Quote(k) + `,` + strconv.Quote(ed) + `],"threshold":2}`,
		h + `"signature","identities":[{"issuer":"https://i","subject_regexp":"^a.*"}],"trusted_root":` + root + `}`,
		h + `"signature","identities":[{"issuer":"https://i","subject":"a@b"}],"trusted_root": { "mediaType" : "application/vnd.dev.sigstore.trustedroot+json" } }`,
		h + `"vulnerabilities","max_severity":"low","deny_cves":[{"id":"CVE-1-2","expires":"2027-01-01T00:00:00Z"}],"max_report_age":"24h"}`,
		h + `"registries","allow":["ghcr.io/acme"],"mode":"warn"}`,
		h + `"age","min_age":"72h"}`,
		h + `"labels","require":[{"key":"a","pattern":"b.*"}]}`,
		h + `"approvals","required":2,"approvers":["bob"],"separate_duties":true,"expires_after":"1h"}`,
		h + `"checks","required":["smoke"]}`,
		h + `"test_ring","selector":{"ring":"lab"},"auto_approve":true}`,
		h + `"tag","deny":[1]}`, `[]`, `{"kind":"age","min_age":null}`, `{"name":"\u0000"}`,
	} {
		f.Add([]byte(s), "v1.2.3", int64(3600))
	}
	f.Fuzz(func(t *testing.T, b []byte, tag string, ageSeconds int64) {
		var r Rule
		if err := json.Unmarshal(b, &r); err != nil {
			return // the API maps decoding errors itself
		}
		if err := Validate(&r); err != nil {
			var e *airlock.Error
			if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field == "" {
				t.Fatalf("Validate(%s) = %v: want an EINVALID naming a field", b, err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", r, err)
		}
		var again Rule
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("Unmarshal(%s): %v", out, err)
		}
		if err := Validate(&again); err != nil {
			t.Fatalf("Validate(%s) after a round trip: %v", out, err)
		}
		if diff := cmp.Diff(r, again, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Fatalf("round trip of %s (-first +second):\n%s", b, diff)
		}
		rel := Release{Repository: "ghcr.io/acme/app", Tag: tag, PushedAt: time.Unix(ageSeconds, 0)}
		o := Evaluate([]Rule{r}, rel, Evidence{}, time.Unix(1<<31, 0))
		if o.Status != Allowed && o.Status != Held && o.Status != Refused {
			t.Fatalf("Evaluate status %q", o.Status)
		}
	})
}
