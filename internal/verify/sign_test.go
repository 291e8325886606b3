package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// testSigner signs as cosign does with a key.
type testSigner struct {
	priv crypto.Signer
}

func newSigner(t testing.TB, kind string) testSigner {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch kind {
	case "ecdsa":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return testSigner{priv}
}

func (s testSigner) pem(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(s.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func (s testSigner) sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	if _, ok := s.priv.(ed25519.PrivateKey); ok {
		sig, err = s.priv.Sign(rand.Reader, msg, crypto.Hash(0))
	} else {
		sum := sha256.Sum256(msg)
		sig, err = s.priv.Sign(rand.Reader, sum[:], crypto.SHA256)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func testDigest(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// simpleSigningPayload is what `cosign sign --key` signs.
func simpleSigningPayload(digest string) []byte {
	return fmt.Appendf(nil, `{"critical":{"identity":{"docker-reference":"ghcr.io/acme/app"},`+
		`"image":{"docker-manifest-digest":%q},"type":"cosign container image signature"},"optional":null}`, digest)
}

// tagSignature builds the manifest and blobs cosign pushes under
// sha256-<hex>.sig, one layer per signer.
func tagSignature(t testing.TB, payloadDigest string, signers ...testSigner) *TagSignature {
	t.Helper()
	ts := &TagSignature{Blobs: map[string][]byte{}}
	var layers []map[string]any
	for _, s := range signers {
		payload := simpleSigningPayload(payloadDigest)
		sum := sha256.Sum256(payload)
		d := "sha256:" + hex.EncodeToString(sum[:])
		ts.Blobs[d] = payload
		layers = append(layers, map[string]any{
			"mediaType": SimpleSigningMediaType, "digest": d, "size": len(payload),
			"annotations": map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(s.sign(t, payload))},
		})
	}
	ts.Manifest, _ = json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": testDigest("config"), "size": 233},
		"layers": layers,
	})
	return ts
}

// cosignStatement is the in-toto statement `cosign sign` puts in a bundle.
func cosignStatement(digest, predicate string) []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":%q}}],`+
		`"predicateType":%q,"predicate":{}}`, digest[len("sha256:"):], predicate)
}

func pae(payloadType string, body []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(body), body)
}

// keyBundle builds a v0.3 bundle signed with a key and no transparency
// log entry, as `cosign sign --key --tlog-upload=false` would.
func keyBundle(t testing.TB, s testSigner, statement []byte) []byte {
	t.Helper()
	const typ = "application/vnd.in-toto+json"
	b := &protobundle.Bundle{
		MediaType: BundleArtifactType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "k"}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: statement, PayloadType: typ,
			Signatures: []*protodsse.Signature{{Sig: s.sign(t, pae(typ, statement))}},
		}},
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
