package rules

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
)

const root = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`

func pemKey(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func testKeys(t testing.TB) (p256, p384, ed, rsa1024 string) {
	t.Helper()
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	r, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return pemKey(t, &k1.PublicKey), pemKey(t, &k2.PublicKey), pemKey(t, edPub), pemKey(t, &r.PublicKey)
}

func parse(t *testing.T, s string) (Rule, error) {
	t.Helper()
	var r Rule
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return r, err
	}
	return r, Validate(&r)
}

type validateCase struct{ in, field string }

// validateCases lists rules as JSON and the field Validate must name, or
// "" if the rule is valid.
func validateCases(t *testing.T) []validateCase {
	p256, p384, ed, weakRSA := testKeys(t)
	q := strconv.Quote
	head := func(kind string) string { return `{"name":"r","image_pattern":"ghcr.io/acme/*","kind":"` + kind + `"` }
	return []validateCase{
		{head("tag") + `,"deny":["latest"]}`, ""},
		{head("tag") + `,"require_semver":true,"mode":"warn"}`, ""},
		{head("tag") + `}`, "deny"},
		{head("tag") + `,"deny":["[a"]}`, "deny[0]"},
		{head("tag") + `,"deny":["latest"],"mode":"block"}`, "mode"},
		{head("tag") + `,"deny":["latest"],"max_severity":"high"}`, "max_severity"},
		{head("nope") + `}`, "kind"},
		{`{"name":"","image_pattern":"x","kind":"tag","deny":["a"]}`, "name"},
		{`{"name":"a\u0000b","image_pattern":"x","kind":"tag","deny":["a"]}`, "name"},
		{`{"name":"a","image_pattern":"-x","kind":"tag","deny":["a"]}`, "image_pattern"},
		{head("signature") + `,"keys":[` + q(p256) + `,` + q(ed) + `],"threshold":2}`, ""},
		{head("signature") + `,"keys":[` + q(p256) + `],"threshold":2}`, "threshold"},
		{head("signature") + `,"keys":[` + q(p384) + `]}`, "keys[0]"},
		{head("signature") + `,"keys":[` + q(weakRSA) + `]}`, "keys[0]"},
		{head("signature") + `,"keys":["not pem"]}`, "keys[0]"},
		{head("signature") + `}`, "keys"},
		{head("signature") + `,"identities":[{"issuer":"https://token.actions.githubusercontent.com","subject_regexp":"^https://github.com/acme/"}],"trusted_root":` + root + `}`, ""},
		{head("signature") + `,"identities":[{"issuer":"https://i","subject":"a@b"}]}`, "trusted_root"},
		{head("signature") + `,"identities":[{"issuer":"https://i","subject":"a","subject_regexp":"b"}],"trusted_root":` + root + `}`, "identities[0].subject"},
		{head("signature") + `,"identities":[{"issuer":"https://i","subject_regexp":"("}],"trusted_root":` + root + `}`, "identities[0].subject_regexp"},
		{head("signature") + `,"identities":[{"issuer":"","subject":"a"}],"trusted_root":` + root + `}`, "identities[0].issuer"},
		{head("signature") + `,"keys":[` + q(ed) + `],"trusted_root":{"mediaType":"x"}}`, "trusted_root"},
		{head("vulnerabilities") + `,"max_severity":"medium","require_report":true,"max_report_age":"168h","allow_cves":[{"id":"CVE-2024-3094","expires":"2027-01-01T00:00:00Z"}]}`, ""},
		{head("vulnerabilities") + `,"max_severity":"critical"}`, "max_severity"},
		{head("vulnerabilities") + `,"max_report_age":"1 week"}`, "max_report_age"},
		{head("vulnerabilities") + `,"max_report_age":"9000h"}`, "max_report_age"},
		{head("vulnerabilities") + `,"deny_cves":[{"id":"cve 1"}]}`, "deny_cves[0].id"},
		{head("registries") + `,"allow":["ghcr.io/acme/","registry.local:5000"]}`, ""},
		{head("registries") + `,"allow":["GHCR.io"]}`, "allow[0]"},
		{head("registries") + `,"allow":[]}`, "allow"},
		{head("age") + `,"min_age":"72h"}`, ""},
		{head("age") + `,"min_age":"-1h"}`, "min_age"},
		{head("age") + `}`, "min_age"},
		{head("labels") + `,"require":[{"key":"org.opencontainers.image.source","pattern":"https://github.com/acme/.*"}]}`, ""},
		{head("labels") + `,"require":[{"key":"a","pattern":"(("}]}`, "require[0].pattern"},
		{head("approvals") + `,"required":2,"approvers":["bob","admin"],"separate_duties":true,"expires_after":"48h"}`, ""},
		{head("approvals") + `,"required":101}`, "required"},
		{head("approvals") + `,"required":-1}`, "required"},
		{head("checks") + `,"required":["smoke","integration"]}`, ""},
		{head("checks") + `,"required":["smoke","smoke"]}`, "required[1]"},
		{head("checks") + `,"required":[]}`, "required"},
		{head("test_ring") + `,"selector":{"ring":"lab"},"auto_approve":true}`, ""},
		{head("test_ring") + `,"selector":{}}`, "selector"},
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range validateCases(t) {
		_, err := parse(t, tt.in)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.in, err)
			}
			continue
		}
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != tt.field {
			t.Errorf("%s: got %v, want EINVALID on %s", tt.in, err, tt.field)
		}
	}
}

func TestValidateDefaults(t *testing.T) {
	r, err := parse(t, `{"name":" s ","image_pattern":"redis","kind":"signature","keys":[`+strconv.Quote(func() string { k, _, _, _ := testKeys(t); return k }())+`]}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "s" || r.Mode != ModeEnforce || r.Signature.Threshold != 1 {
		t.Fatalf("defaults: %+v %+v", r, r.Signature)
	}
	v, err := parse(t, `{"name":"v","image_pattern":"redis","kind":"vulnerabilities"}`)
	if err != nil || v.Vulnerabilities.MaxSeverity != SeverityHigh {
		t.Fatalf("vulnerabilities default: %+v, %v", v.Vulnerabilities, err)
	}
	a, err := parse(t, `{"name":"a","image_pattern":"redis","kind":"approvals"}`)
	if err != nil || a.Approvals.Required != 1 {
		t.Fatalf("approvals default: %+v, %v", a.Approvals, err)
	}
}

func TestValidateMixedKinds(t *testing.T) {
	r := Rule{Name: "x", ImagePattern: "redis", Kind: KindTag, Tag: &Tag{Deny: []string{"latest"}}, Age: &Age{MinAge: "1h"}}
	if err := Validate(&r); airlock.ErrorCode(err) != airlock.EINVALID {
		t.Fatalf("a tag rule with age fields: %v", err)
	}
	bad := Rule{Name: "x", ImagePattern: "redis", Kind: KindLabels, Labels: &Labels{Require: []LabelRequirement{{Key: "a\xff"}}}}
	if err := Validate(&bad); err == nil || !strings.Contains(err.Error(), "require[0].key: must be valid UTF-8") {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	empty := Rule{Name: "x", ImagePattern: "redis", Kind: KindTag}
	if err := Validate(&empty); err == nil || !strings.Contains(err.Error(), "deny") {
		t.Fatalf("a tag rule with no fields: %v", err)
	}
}

func TestRuleJSONRoundTrip(t *testing.T) {
	in := `{"name":"v","image_pattern":"ghcr.io/acme/*","kind":"vulnerabilities","mode":"warn",` +
		`"max_severity":"medium","deny_cves":[{"id":"CVE-2021-44228","reason":"log4shell"}],"require_report":true}`
	r, err := parse(t, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["max_severity"] != "medium" || m["kind"] != "vulnerabilities" {
		t.Fatalf("flat JSON: %s, %v", b, err)
	}
	again, err := parse(t, string(b))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, again); diff != "" {
		t.Fatalf("round trip (-first +second):\n%s", diff)
	}
}
