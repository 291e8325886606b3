package verify

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// Cosign's key-based tag format.
const (
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	simpleSigningType      = "cosign container image signature"
	maxSignatureLayers     = 64
	maxPayload             = 64 << 10
)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// SignatureTag is the tag cosign stores key-based signatures of digest
// under: "sha256-<hex>.sig".
func SignatureTag(digest string) (string, error) {
	if !digestRE.MatchString(digest) {
		return "", airlock.FieldErrorf("digest", "must be sha256: and 64 lowercase hex digits")
	}
	return strings.Replace(digest, ":", "-", 1) + ".sig", nil
}

// TagSignature is the manifest found under SignatureTag and the blobs of
// its layers, by digest.
type TagSignature struct {
	Manifest []byte
	Blobs    map[string][]byte
}

type sigManifest struct {
	Layers []struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Annotations map[string]string `json:"annotations"`
	} `json:"layers"`
}

// simpleSigning is the payload cosign signs.
type simpleSigning struct {
	Critical struct {
		Type  string `json:"type"`
		Image struct {
			Digest string `json:"docker-manifest-digest"`
		} `json:"image"`
	} `json:"critical"`
}

// verifyTag checks each signature layer against every key: the blob must
// match its digest, the signature must verify over it, and the payload must
// name the release's digest.
func (s *Signers) verifyTag(digest string, ts *TagSignature, ev *rules.SignatureEvidence) {
	var m sigManifest
	if err := json.Unmarshal(ts.Manifest, &m); err != nil {
		ev.Rejected = append(ev.Rejected, "the signature manifest is not JSON")
		return
	}
	if len(m.Layers) > maxSignatureLayers {
		ev.Rejected = append(ev.Rejected, fmt.Sprintf("the signature manifest has %d layers; at most %d are read", len(m.Layers), maxSignatureLayers))
		m.Layers = m.Layers[:maxSignatureLayers]
	}
	for i, l := range m.Layers {
		signer, err := s.verifyLayer(digest, ts.Blobs[l.Digest], l.Digest, l.Annotations[SignatureAnnotation])
		if err != nil {
			ev.Rejected = append(ev.Rejected, fmt.Sprintf("tag signature %d: %v", i, err))
		} else if !slices.Contains(ev.Signers, signer) {
			ev.Signers = append(ev.Signers, signer)
		}
	}
}

func (s *Signers) verifyLayer(digest string, blob []byte, blobDigest, sigB64 string) (string, error) {
	sum := sha256.Sum256(blob)
	switch {
	case blob == nil:
		return "", fmt.Errorf("its payload %s was not fetched", blobDigest)
	case blobDigest != "sha256:"+hex.EncodeToString(sum[:]):
		return "", fmt.Errorf("its payload does not match its digest %s", blobDigest)
	case len(blob) > maxPayload:
		return "", fmt.Errorf("its payload is over %d bytes", maxPayload)
	case sigB64 == "":
		return "", fmt.Errorf("it has no %s annotation", SignatureAnnotation)
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return "", fmt.Errorf("its signature is not base64")
	}
	var p simpleSigning
	if err := json.Unmarshal(blob, &p); err != nil || p.Critical.Type != simpleSigningType {
		return "", fmt.Errorf("its payload is not a cosign simple-signing payload")
	}
	if got := p.Critical.Image.Digest; got != digest {
		return "", fmt.Errorf("it signs %q, not the release's digest", truncate(got, 80))
	}
	for _, k := range s.keys {
		if verifyBlob(k.pub, sig, blob) {
			return k.id, nil
		}
	}
	return "", fmt.Errorf("it is not signed by any trusted key")
}

// verifyBlob verifies as cosign signs: ECDSA and RSA (PKCS #1 v1.5) over
// the SHA-256 of the payload, Ed25519 over the payload itself.
func verifyBlob(pub crypto.PublicKey, sig, payload []byte) bool {
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return false
	}
	return v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(payload)) == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
