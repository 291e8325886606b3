package verify

import (
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/airlock-iot/airlock/internal/rules"
)

// Sigstore bundles as cosign v3 attaches them: OCI referrers of this
// artifact type, whose one layer is the bundle's JSON.
const (
	BundleArtifactType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// CosignSignPredicate is the in-toto predicate of `cosign sign`; a
	// bundle of another predicate (an SBOM attestation) is no signature.
	CosignSignPredicate = "https://sigstore.dev/cosign/sign/v1"
	maxBundle           = 1 << 20
	maxBundles          = 64
)

// Found is what the registry holds about a release's signatures: the
// Sigstore bundles among its referrers and the tag-format signature, if
// any. Either may be empty.
type Found struct {
	Bundles [][]byte
	Tag     *TagSignature
}

// Verify checks every signature found for the release digest against the
// signers and returns the distinct signers that verified, and why the
// others did not count.
func (s *Signers) Verify(digest string, f Found) rules.SignatureEvidence {
	ev := rules.SignatureEvidence{Signers: []string{}}
	if !digestRE.MatchString(digest) {
		ev.Rejected = append(ev.Rejected, "the release has no sha256 digest")
		return ev
	}
	if len(f.Bundles) > maxBundles {
		ev.Rejected = append(ev.Rejected, fmt.Sprintf("%d bundles; at most %d are read", len(f.Bundles), maxBundles))
		f.Bundles = f.Bundles[:maxBundles]
	}
	raw, _ := hex.DecodeString(strings.TrimPrefix(digest, "sha256:"))
	for i, b := range f.Bundles {
		id, err := s.verifyBundle(raw, b)
		if err != nil {
			ev.Rejected = append(ev.Rejected, fmt.Sprintf("bundle %d: %v", i, err))
		} else if !slices.Contains(ev.Signers, id) {
			ev.Signers = append(ev.Signers, id)
		}
	}
	if f.Tag != nil {
		s.verifyTag(digest, f.Tag, &ev)
	}
	return ev
}

// verifyBundle returns the one signer a bundle verifies for: a key if it
// carries a public key hint, else an identity its certificate matches.
func (s *Signers) verifyBundle(digest, b []byte) (string, error) {
	if len(b) > maxBundle {
		return "", fmt.Errorf("over %d bytes", maxBundle)
	}
	var bun bundle.Bundle
	if err := bun.UnmarshalJSON(b); err != nil {
		return "", fmt.Errorf("not a Sigstore bundle: %v", err)
	}
	return s.verifyEntity(digest, &bun)
}

// verifyEntity verifies a parsed bundle: against the keys if it carries a
// public key, else against the identities.
func (s *Signers) verifyEntity(digest []byte, e sgverify.SignedEntity) (string, error) {
	vc, err := e.VerificationContent()
	if err != nil {
		return "", err
	}
	if vc.Certificate() == nil {
		return s.verifyBundleKeys(digest, e)
	}
	return s.verifyBundleIdentities(digest, e)
}

func (s *Signers) verifyBundleKeys(digest []byte, b sgverify.SignedEntity) (string, error) {
	policy := sgverify.NewPolicy(sgverify.WithArtifactDigest("sha256", digest), sgverify.WithKey())
	for _, k := range s.keys {
		material, err := keyMaterial(k.pub, s.root)
		if err != nil {
			continue
		}
		// A key does not expire, so a key signature needs no timestamp.
		v, err := sgverify.NewVerifier(material, sgverify.WithNoObserverTimestamps())
		if err != nil {
			return "", err
		}
		if res, err := v.Verify(b, policy); err == nil && isSignature(res) {
			return k.id, nil
		}
	}
	return "", errors.New("not signed by any trusted key for this digest")
}

// verifyBundleIdentities counts one bundle as one signer, the first
// identity its certificate matches, so that two overlapping identities in
// a rule cannot make one signature meet a threshold of two.
func (s *Signers) verifyBundleIdentities(digest []byte, b sgverify.SignedEntity) (string, error) {
	if s.root == nil || len(s.identities) == 0 {
		return "", errors.New("signed keylessly, and the rule trusts no identity")
	}
	v, err := sgverify.NewVerifier(s.root, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1))
	if err != nil {
		return "", err
	}
	var last error
	for _, id := range s.identities {
		res, err := v.Verify(b, sgverify.NewPolicy(sgverify.WithArtifactDigest("sha256", digest), sgverify.WithCertificateIdentity(id.matcher)))
		switch {
		case err != nil:
			last = err
		case !isSignature(res):
			return "", errors.New("an attestation of " + res.Statement.GetPredicateType() + ", not a signature")
		default:
			return id.id, nil
		}
	}
	return "", fmt.Errorf("no trusted identity verified: %v", last)
}

// isSignature accepts a message signature, or a DSSE statement of cosign's
// sign predicate.
func isSignature(res *sgverify.VerificationResult) bool {
	return res.Statement == nil || res.Statement.GetPredicateType() == CosignSignPredicate
}

// keyMaterial trusts exactly one key whatever the bundle's hint says, and
// the trusted root's logs and timestamp authorities if there is one.
func keyMaterial(pub crypto.PublicKey, tr root.TrustedMaterial) (root.TrustedMaterial, error) {
	sv, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
	m := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	if tr == nil {
		return m, nil
	}
	return root.TrustedMaterialCollection{m, tr}, nil
}
