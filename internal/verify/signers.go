// Package verify turns what a registry holds about a release into
// evidence for internal/rules: cosign signatures (the key-based tag format
// and Sigstore bundles, verified with sigstore-go against pinned keys and a
// pinned trusted root, never the network) and scan reports (Trivy, Grype,
// Harbor). Every function works on values; fetching is the caller's.
package verify

import (
	"crypto"
	"fmt"
	"regexp"
	"slices"

	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// Signers is a signature rule made ready to verify with: parsed keys,
// identity matchers and the trusted root.
type Signers struct {
	keys       []key
	identities []identity
	root       root.TrustedMaterial // nil without a trusted_root
}

type key struct {
	id  string // rules.KeyID
	pub crypto.PublicKey
}

type identity struct {
	id      string // rules.IdentityID
	matcher sgverify.CertificateIdentity
}

// NewSigners parses a signature rule's keys, identities and trusted root;
// faults are EINVALID errors naming the field. Call it when a rule is
// written, too: rules.Validate checks the trusted root's shape only.
func NewSigners(s *rules.Signature) (*Signers, error) {
	var out Signers
	for i, pem := range s.Keys {
		pub, err := rules.ParsePublicKey(pem)
		if err != nil {
			return nil, airlock.FieldErrorf(fmt.Sprintf("keys[%d]", i), "%v", err)
		}
		id := rules.KeyID(pub)
		if !slices.ContainsFunc(out.keys, func(k key) bool { return k.id == id }) {
			out.keys = append(out.keys, key{id: id, pub: pub})
		}
	}
	for i, id := range s.Identities {
		m, err := newIdentity(id)
		if err != nil {
			return nil, airlock.FieldErrorf(fmt.Sprintf("identities[%d]", i), "%v", err)
		}
		out.identities = append(out.identities, identity{id: rules.IdentityID(id), matcher: m})
	}
	if len(s.TrustedRoot) > 0 {
		tr, err := root.NewTrustedRootFromJSON(s.TrustedRoot)
		if err != nil {
			return nil, airlock.FieldErrorf("trusted_root", "is not a usable Sigstore trusted root: %v", err)
		}
		out.root = tr
	}
	if len(out.identities) > 0 && out.root == nil {
		return nil, airlock.FieldErrorf("trusted_root", "is required to verify keyless identities")
	}
	return &out, nil
}

// newIdentity matches the issuer exactly and the subject (the
// certificate's SAN) exactly or by a regular expression that, as in
// cosign's --certificate-identity-regexp, is not implicitly anchored.
func newIdentity(id rules.Identity) (sgverify.CertificateIdentity, error) {
	if _, err := regexp.Compile(id.SubjectRegexp); err != nil {
		return sgverify.CertificateIdentity{}, err
	}
	return sgverify.NewShortCertificateIdentity(id.Issuer, "", id.Subject, id.SubjectRegexp)
}
