package verify

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/testing/ca"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

func signers(t *testing.T, s *rules.Signature) *Signers {
	t.Helper()
	v, err := NewSigners(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func keyID(t *testing.T, s testSigner) string {
	t.Helper()
	pub, err := rules.ParsePublicKey(s.pem(t))
	if err != nil {
		t.Fatal(err)
	}
	return rules.KeyID(pub)
}

func TestVerifyTagFormat(t *testing.T) {
	ec, rs, ed, stranger := newSigner(t, "ecdsa"), newSigner(t, "rsa"), newSigner(t, "ed25519"), newSigner(t, "ecdsa")
	trust := signers(t, &rules.Signature{Keys: []string{ec.pem(t), rs.pem(t), ed.pem(t)}})
	digest := testDigest("release")
	tests := []struct {
		name     string
		found    *TagSignature
		signers  []string
		rejected string
	}{
		{"ecdsa", tagSignature(t, digest, ec), []string{keyID(t, ec)}, ""},
		{"rsa", tagSignature(t, digest, rs), []string{keyID(t, rs)}, ""},
		{"ed25519", tagSignature(t, digest, ed), []string{keyID(t, ed)}, ""},
		{"two signers", tagSignature(t, digest, ec, ed), []string{keyID(t, ec), keyID(t, ed)}, ""},
		{"same signer twice", tagSignature(t, digest, ec, ec), []string{keyID(t, ec)}, ""},
		{"untrusted key", tagSignature(t, digest, stranger), nil, "not signed by any trusted key"},
		{"another digest", tagSignature(t, testDigest("other"), ec), nil, "not the release's digest"},
		{"tampered payload", tampered(tagSignature(t, digest, ec)), nil, "does not match its digest"},
		{"missing blob", &TagSignature{Manifest: tagSignature(t, digest, ec).Manifest}, nil, "was not fetched"},
		{"not a manifest", &TagSignature{Manifest: []byte("<html>")}, nil, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := trust.Verify(digest, Found{Tag: tt.found})
			if strings.Join(ev.Signers, ",") != strings.Join(tt.signers, ",") {
				t.Fatalf("signers %v, want %v (rejected %v)", ev.Signers, tt.signers, ev.Rejected)
			}
			if tt.rejected != "" && (len(ev.Rejected) != 1 || !strings.Contains(ev.Rejected[0], tt.rejected)) {
				t.Fatalf("rejected %q, want %q", ev.Rejected, tt.rejected)
			}
		})
	}
}

func tampered(ts *TagSignature) *TagSignature {
	for d, b := range ts.Blobs {
		ts.Blobs[d] = append([]byte(" "), b...)
	}
	return ts
}

// TestThreshold feeds verification into the rule: two of two keys needed,
// one signature waits, two pass.
func TestThreshold(t *testing.T) {
	a, b := newSigner(t, "ecdsa"), newSigner(t, "ed25519")
	rule := rules.Rule{Name: "two-keys", ImagePattern: "ghcr.io/acme/*", Kind: rules.KindSignature,
		Signature: &rules.Signature{Keys: []string{a.pem(t), b.pem(t)}, Threshold: 2}}
	if err := rules.Validate(&rule); err != nil {
		t.Fatal(err)
	}
	trust := signers(t, rule.Signature)
	rel := rules.Release{Repository: "ghcr.io/acme/app", Tag: "v1", Digest: testDigest("release")}
	for _, tt := range []struct {
		signed []testSigner
		status string
	}{{nil, rules.Held}, {[]testSigner{a}, rules.Held}, {[]testSigner{a, a}, rules.Held}, {[]testSigner{a, b}, rules.Allowed}} {
		found := Found{}
		if len(tt.signed) > 0 {
			found.Tag = tagSignature(t, rel.Digest, tt.signed...)
		}
		ev := rules.Evidence{Signatures: map[string]rules.SignatureEvidence{rule.Name: trust.Verify(rel.Digest, found)}}
		if out := rules.Evaluate([]rules.Rule{rule}, rel, ev, time.Now()); out.Status != tt.status {
			t.Errorf("%d signatures: %+v, want %s", len(tt.signed), out, tt.status)
		}
	}
}

func TestVerifyKeyBundle(t *testing.T) {
	ec, ed, stranger := newSigner(t, "ecdsa"), newSigner(t, "ed25519"), newSigner(t, "ecdsa")
	trust := signers(t, &rules.Signature{Keys: []string{ec.pem(t), ed.pem(t)}})
	digest := testDigest("release")
	tests := []struct {
		name     string
		bundle   []byte
		signer   string
		rejected string
	}{
		{"ecdsa", keyBundle(t, ec, cosignStatement(digest, CosignSignPredicate)), keyID(t, ec), ""},
		{"ed25519", keyBundle(t, ed, cosignStatement(digest, CosignSignPredicate)), keyID(t, ed), ""},
		{"untrusted key", keyBundle(t, stranger, cosignStatement(digest, CosignSignPredicate)), "", "not signed by any trusted key"},
		{"another digest", keyBundle(t, ec, cosignStatement(testDigest("other"), CosignSignPredicate)), "", "not signed by any trusted key"},
		{"an attestation", keyBundle(t, ec, cosignStatement(digest, "https://spdx.dev/Document")), "", "not signed by any trusted key"},
		{"not a bundle", []byte(`{"mediaType":"x"}`), "", "not a Sigstore bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := trust.Verify(digest, Found{Bundles: [][]byte{tt.bundle}})
			if got := strings.Join(ev.Signers, ","); got != tt.signer {
				t.Fatalf("signers %q, want %q (rejected %v)", got, tt.signer, ev.Rejected)
			}
			if tt.rejected != "" && (len(ev.Rejected) != 1 || !strings.Contains(ev.Rejected[0], tt.rejected)) {
				t.Fatalf("rejected %q, want %q", ev.Rejected, tt.rejected)
			}
		})
	}
}

func TestVerifyKeyless(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	const issuer = "https://token.actions.githubusercontent.com"
	digest := testDigest("release")
	good := keylessBundle(t, vs, "ci@acme.example", issuer, cosignStatement(digest, CosignSignPredicate))
	tests := []struct {
		name     string
		ids      []rules.Identity
		bundle   []byte
		signers  int
		rejected string
	}{
		{"exact subject", []rules.Identity{{Issuer: issuer, Subject: "ci@acme.example"}}, good, 1, ""},
		{"subject regexp", []rules.Identity{{Issuer: issuer, SubjectRegexp: `@acme\.example$`}}, good, 1, ""},
		{"overlapping identities count once", []rules.Identity{{Issuer: issuer, Subject: "ci@acme.example"}, {Issuer: issuer, SubjectRegexp: "acme"}}, good, 1, ""},
		{"another subject", []rules.Identity{{Issuer: issuer, Subject: "mallory@acme.example"}}, good, 0, "no trusted identity"},
		{"another issuer", []rules.Identity{{Issuer: "https://accounts.google.com", Subject: "ci@acme.example"}}, good, 0, "no trusted identity"},
		{"another digest", []rules.Identity{{Issuer: issuer, Subject: "ci@acme.example"}},
			keylessBundle(t, vs, "ci@acme.example", issuer, cosignStatement(testDigest("other"), CosignSignPredicate)), 0, "no trusted identity"},
		{"an attestation", []rules.Identity{{Issuer: issuer, Subject: "ci@acme.example"}},
			keylessBundle(t, vs, "ci@acme.example", issuer, cosignStatement(digest, "https://slsa.dev/provenance/v1")), 0, "not a signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trust := signers(t, &rules.Signature{Identities: tt.ids, TrustedRoot: virtualRoot(t, vs)})
			ev := trust.Verify(digest, Found{Bundles: [][]byte{tt.bundle}})
			if len(ev.Signers) != tt.signers {
				t.Fatalf("signers %v, want %d (rejected %v)", ev.Signers, tt.signers, ev.Rejected)
			}
			if tt.rejected != "" && (len(ev.Rejected) != 1 || !strings.Contains(ev.Rejected[0], tt.rejected)) {
				t.Fatalf("rejected %q, want %q", ev.Rejected, tt.rejected)
			}
		})
	}
}

// TestVerifyKeylessUntrustedRoot: a bundle from another Sigstore does not
// verify against the pinned root.
func TestVerifyKeylessUntrustedRoot(t *testing.T) {
	pinned, err1 := ca.NewVirtualSigstore()
	rogue, err2 := ca.NewVirtualSigstore()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	const issuer = "https://issuer.example"
	digest := testDigest("release")
	b := keylessBundle(t, rogue, "ci@acme.example", issuer, cosignStatement(digest, CosignSignPredicate))
	trust := signers(t, &rules.Signature{Identities: []rules.Identity{{Issuer: issuer, Subject: "ci@acme.example"}},
		TrustedRoot: virtualRoot(t, pinned)})
	if ev := trust.Verify(digest, Found{Bundles: [][]byte{b}}); len(ev.Signers) != 0 || len(ev.Rejected) != 1 {
		t.Fatalf("rogue root: %+v", ev)
	}
}

func TestNewSignersErrors(t *testing.T) {
	k := newSigner(t, "ecdsa").pem(t)
	tests := []struct {
		sig   rules.Signature
		field string
	}{
		{rules.Signature{Keys: []string{"nope"}}, "keys[0]"},
		{rules.Signature{Keys: []string{k}, TrustedRoot: []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[{"publicKey":{"rawBytes":"AA=="}}]}`)}, "trusted_root"},
		{rules.Signature{Identities: []rules.Identity{{Issuer: "i", Subject: "s"}}}, "trusted_root"},
		{rules.Signature{Identities: []rules.Identity{{Issuer: "i", SubjectRegexp: "("}}}, "identities[0]"},
	}
	for _, tt := range tests {
		_, err := NewSigners(&tt.sig)
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != tt.field {
			t.Errorf("%+v: %v, want EINVALID on %s", tt.sig, err, tt.field)
		}
	}
}

func TestSignatureTag(t *testing.T) {
	d := testDigest("x")
	if tag, err := SignatureTag(d); err != nil || tag != "sha256-"+d[7:]+".sig" {
		t.Fatalf("SignatureTag = %q, %v", tag, err)
	}
	if _, err := SignatureTag("sha256:abc"); airlock.ErrorCode(err) != airlock.EINVALID {
		t.Fatalf("short digest: %v", err)
	}
}
