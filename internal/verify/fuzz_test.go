package verify

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// The fuzz targets below run their seeds in every go test. Coverage-guided
// fuzzing (go test -fuzz) of this package crawls: sigstore-go's dependency
// tree makes each coverage snapshot huge. Fuzz a binary built without
// coverage instead:
//
//	go test -c -o /tmp/verify.test ./internal/verify
//	(cd internal/verify && /tmp/verify.test -test.fuzz=FuzzDecodeReport -test.fuzztime=1m)
func seedFixtures(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		f.Fatal("no fixtures", err)
	}
	for _, file := range files {
		f.Add(fixture(f, filepath.Base(file)))
	}
	f.Add([]byte(`{"SchemaVersion":2,"ArtifactName":"a@` + gatewayDigest + `","Results":[{"Vulnerabilities":[{"VulnerabilityID":"X-1","Severity":"moderate"}]}]}`))
	f.Add([]byte(`{"matches":[],"source":{"target":{"manifestDigest":"` + gatewayDigest + `"}}}`))
	f.Add([]byte(`null`))
}

func checkCode(t *testing.T, err error) {
	t.Helper()
	if code := airlock.ErrorCode(err); code != airlock.EBADREQUEST && code != airlock.EINVALID && code != airlock.ETOOLARGE {
		t.Fatalf("error %v: want a client error", err)
	}
}

func checkReport(t *testing.T, r rules.ScanReport) {
	t.Helper()
	if !digestRE.MatchString(r.Digest) || r.ScannedAt.After(received) || r.ScannedAt.IsZero() {
		t.Fatalf("report %s at %s", r.Digest, r.ScannedAt)
	}
	total := 0
	for sev, n := range r.Counts {
		if !slices.Contains(rules.Severities, sev) || n < 0 {
			t.Fatalf("count %s = %d", sev, n)
		}
		total += n
	}
	for _, f := range r.Findings {
		if !slices.Contains(rules.Severities, f.Severity) || f.ID == "" {
			t.Fatalf("finding %+v", f)
		}
	}
	if len(r.Findings) > 0 && total != len(r.Findings) {
		t.Fatalf("%d findings, counts sum to %d", len(r.Findings), total)
	}
}

func FuzzDecodeReport(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeReport(body, received)
		if err != nil {
			checkCode(t, err)
			return
		}
		checkReport(t, r)
	})
}

func FuzzDecodeHarborScan(f *testing.F) {
	seedFixtures(f)
	f.Add([]byte(`{"specversion":"1.0","type":"harbor.scan.completed","time":"2026-11-30T09:19:35Z","data":{"resources":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		reports, ok, err := DecodeHarborScan(body, received)
		if err != nil {
			checkCode(t, err)
			return
		}
		if !ok && reports != nil {
			t.Fatalf("not a scan event, yet %d reports", len(reports))
		}
		for _, r := range reports {
			checkReport(t, r)
		}
	})
}

// FuzzVerify: no bytes a registry serves make Verify panic, and none
// verify without the key's signature.
func FuzzVerify(f *testing.F) {
	s := newSigner(f, "ecdsa")
	digest := testDigest("release")
	stranger := newSigner(f, "ecdsa")
	ts := tagSignature(f, digest, stranger)
	var payload []byte
	for _, b := range ts.Blobs {
		payload = b
	}
	f.Add(keyBundle(f, stranger, cosignStatement(digest, CosignSignPredicate)), ts.Manifest, payload)
	f.Add([]byte(`{"mediaType":"`+BundleArtifactType+`"}`), []byte(`{"layers":[{}]}`), []byte{})
	trust, err := NewSigners(&rules.Signature{Keys: []string{s.pem(f)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, bundle, manifest, blob []byte) {
		found := Found{Bundles: [][]byte{bundle}, Tag: &TagSignature{Manifest: manifest, Blobs: map[string][]byte{}}}
		if d := layerDigest(manifest); d != "" {
			found.Tag.Blobs[d] = blob
		}
		if ev := trust.Verify(digest, found); len(ev.Signers) != 0 {
			t.Fatalf("verified without a signature by the key: %+v", ev)
		}
	})
}

func layerDigest(manifest []byte) string {
	var m sigManifest
	if decodeJSON(manifest, &m) != nil || len(m.Layers) == 0 {
		return ""
	}
	return m.Layers[0].Digest
}
