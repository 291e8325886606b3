package registrytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// Signer is an ECDSA P-256 key that signs as cosign does with a key:
// ASN.1 over the payload's SHA-256. Its Sign suits PushSignedSignature.
type Signer struct {
	key *ecdsa.PrivateKey
	PEM string // the public key, as a signature rule lists it
}

// NewSigner makes a fresh key.
func NewSigner(t testing.TB) Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return Signer{key: k, PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
}

// Sign signs payload.
func (s Signer) Sign(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, s.key, sum[:])
	if err != nil {
		panic(err)
	}
	return sig
}
