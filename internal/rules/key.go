package rules

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
)

const maxPEM = 16 << 10

// ParsePublicKey reads one PEM "PUBLIC KEY" (PKIX), as cosign writes
// cosign.pub: ECDSA P-256, RSA of 2048 to 8192 bits, or Ed25519.
func ParsePublicKey(s string) (crypto.PublicKey, error) {
	if len(s) > maxPEM {
		return nil, errors.New("is too long for a public key")
	}
	block, rest := pem.Decode([]byte(s))
	switch {
	case block == nil:
		return nil, errors.New("is not PEM")
	case block.Type != "PUBLIC KEY":
		return nil, errors.New("must be a PEM \"PUBLIC KEY\", not " + block.Type)
	case strings.TrimSpace(string(rest)) != "":
		return nil, errors.New("must hold exactly one PEM block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, errors.New("is not a PKIX public key")
	}
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("ECDSA keys must use P-256")
		}
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 8192 {
			return nil, errors.New("RSA keys must have 2048 to 8192 bits")
		}
	case ed25519.PublicKey:
	default:
		return nil, errors.New("must be an ECDSA P-256, RSA or Ed25519 key")
	}
	return key, nil
}

// KeyID names a public key in verdicts and evidence: "sha256:" and the
// hex SHA-256 of its PKIX encoding, stable however the PEM is wrapped.
func KeyID(key crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// IdentityID names a keyless signer in verdicts and evidence.
func IdentityID(id Identity) string {
	if id.SubjectRegexp != "" {
		return id.Issuer + " ~ " + id.SubjectRegexp
	}
	return id.Issuer + " = " + id.Subject
}

// checkTrustedRoot checks the shape of a Sigstore trusted_root.json;
// internal/verify parses it in full.
func checkTrustedRoot(b json.RawMessage) error {
	var root struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(b, &root); err != nil {
		return errors.New("must be a JSON object")
	}
	if !strings.HasPrefix(root.MediaType, "application/vnd.dev.sigstore.trustedroot") {
		return errors.New("must be a Sigstore trusted_root.json (mediaType application/vnd.dev.sigstore.trustedroot…)")
	}
	return nil
}
