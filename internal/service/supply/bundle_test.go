package supply_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	"github.com/airlock-iot/airlock/internal/verify"
)

// trustedRoot is a VirtualSigstore's trust as the trusted_root.json an
// admin pins in a rule (log ids raw, as the JSON carries them).
func trustedRoot(t *testing.T, vs *ca.VirtualSigstore) []byte {
	t.Helper()
	raw := func(logs map[string]*root.TransparencyLog) map[string]*root.TransparencyLog {
		out := map[string]*root.TransparencyLog{}
		for id, l := range logs {
			c := *l
			c.ID, _ = hex.DecodeString(id)
			out[id] = &c
		}
		return out
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(),
		raw(vs.CTLogs()), vs.TimestampingAuthorities(), raw(vs.RekorLogs()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keylessBundle is what `cosign sign` (v3) attaches for digest: an
// in-toto statement of cosign's sign predicate, signed keylessly by
// subject of issuer through the VirtualSigstore, as a v0.3 bundle.
func keylessBundle(t *testing.T, vs *ca.VirtualSigstore, digest, subject, issuer string) []byte {
	t.Helper()
	statement := fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":%q}}],`+
		`"predicateType":%q,"predicate":{}}`, digest[len("sha256:"):], verify.CosignSignPredicate)
	e, err := vs.AttestAtTime(subject, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	env := sc.EnvelopeContent().RawEnvelope()
	tsrs, _ := e.Timestamps()
	entries, _ := e.TlogEntries()
	tle := entries[0].TransparencyLogEntry()
	tle.KindVersion = &protorekor.KindVersion{Kind: "dsse", Version: "0.0.1"}
	var sigs []*protodsse.Signature
	for _, s := range env.Signatures {
		raw, _ := base64.StdEncoding.DecodeString(s.Sig)
		sigs = append(sigs, &protodsse.Signature{Sig: raw, Keyid: s.KeyID})
	}
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	var stamps []*protocommon.RFC3161SignedTimestamp
	for _, ts := range tsrs {
		stamps = append(stamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	out, err := protojson.Marshal(&protobundle.Bundle{
		MediaType: verify.BundleArtifactType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries:               []*protorekor.TransparencyLogEntry{tle},
			TimestampVerificationData: &protobundle.TimestampVerificationData{Rfc3161Timestamps: stamps},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType, Signatures: sigs}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKeylessBundleReferrer: a Sigstore bundle attached as an OCI referrer
// (cosign v3's default) by the trusted identity releases the image; one by
// another identity does not.
func TestKeylessBundleReferrer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		vs, err := ca.NewVirtualSigstore()
		if err != nil {
			t.Fatal(err)
		}
		const issuer = "https://token.actions.githubusercontent.com"
		e.rule(rules.Rule{Name: "built by CI", ImagePattern: e.reg.Host() + "/acme/*", Kind: rules.KindSignature,
			Signature: &rules.Signature{TrustedRoot: trustedRoot(t, vs),
				Identities: []rules.Identity{{Issuer: issuer, SubjectRegexp: `^https://github\.com/acme/`}}}})
		rel := e.push("3.0.0")
		e.expect(rel, rules.Held, "")
		ctx := context.Background()
		subject, err := e.reg.Descriptor(ctx, "acme/app", rel.Digest)
		if err != nil {
			t.Fatal(err)
		}
		attach := func(tag string, b []byte) {
			a := registrytest.Artifact{ArtifactType: verify.BundleArtifactType, Subject: subject,
				Config: registrytest.Blob{MediaType: registrytest.EmptyJSON, Data: []byte("{}")},
				Layers: []registrytest.Blob{{MediaType: verify.BundleArtifactType, Data: b}}}
			if _, err := e.reg.PushArtifact(ctx, "acme/app", tag, a); err != nil {
				t.Fatal(err)
			}
		}
		attach("other", keylessBundle(t, vs, rel.Digest, "https://gitlab.com/mallory/x", issuer))
		e.expect(rel, rules.Held, "")
		attach("ci", keylessBundle(t, vs, rel.Digest, "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", issuer))
		e.expect(rel, rules.Allowed, "")
	})
}
