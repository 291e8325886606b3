package webhook

import (
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
)

func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		f.Fatal("no fixtures", err)
	}
	for _, file := range files {
		body, h := readFixture(f, filepath.Base(file))
		for _, source := range append([]string{""}, Sources...) {
			f.Add(source, h.Get("Content-Type"), h.Get("X-GitHub-Event"), body)
		}
	}
	f.Fuzz(func(t *testing.T, source, contentType, event string, body []byte) {
		h := header("Content-Type", contentType, "X-GitHub-Event", event, "X-GitHub-Delivery", "d")
		d, err := Decode(source, h, body)
		if err != nil {
			code := airlock.ErrorCode(err)
			if code != airlock.EBADREQUEST && !(code == airlock.ENOTFOUND && !slices.Contains(Sources, source)) {
				t.Fatalf("Decode(%q) error %v: want %s", source, err, airlock.EBADREQUEST)
			}
			return
		}
		if !slices.Contains(Sources, d.Source) {
			t.Fatalf("Decode(%q) gave source %q", source, d.Source)
		}
		if len(d.Pushes) > 0 && d.Ignored != "" || len(d.Pushes)+len(d.Bad) == 0 && d.Ignored == "" {
			t.Fatalf("Decode(%q): %d pushes, %d bad, Ignored %q: want pushes or bad events, or else a reason", source, len(d.Pushes), len(d.Bad), d.Ignored)
		}
		for _, p := range d.Pushes {
			checkPush(t, d.Source, p)
		}
	})
}

func checkPush(t *testing.T, source string, p Push) {
	t.Helper()
	r := p.Ref
	if p.Source != source || r.Name == "" || r.Tag == "" || r.Registry == "" {
		t.Fatalf("push %+v: want source %q and a registry, name and tag", p, source)
	}
	again, err := imageref.Parse(r.String())
	if err != nil || again != r {
		t.Fatalf("push of %#v: Parse(%q) = %#v, %v", r, r.String(), again, err)
	}
	if imageref.ValidTag(r.Tag) != nil || r.Digest != "" && imageref.ValidDigest(r.Digest) != nil {
		t.Fatalf("push of %#v: invalid tag or digest", r)
	}
}

func FuzzAuthenticate(f *testing.F) {
	f.Add("s3cret", "s3cret", "", []byte(`{"a":1}`))
	f.Add("s3cret", "", "Bearer s3cret", []byte(`{}`))
	f.Add("s3cret", "x", "s3cret", []byte{})
	f.Add("", "", "", []byte{})
	f.Add("", "", "Bearer ", []byte("x"))
	f.Fuzz(func(t *testing.T, secret, token, auth string, body []byte) {
		q := url.Values{"token": {token}}
		h := http.Header{"Authorization": {auth}}
		plain := token == secret || auth == secret ||
			len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") && auth[7:] == secret
		if got := Authenticate(secret, h, q, body); got != (secret != "" && plain) {
			t.Fatalf("Authenticate(%q, Authorization %q, token %q) = %v", secret, auth, token, got)
		}
		signed := http.Header{"X-Hub-Signature-256": {Sign(secret, body)}}
		if got := Authenticate(secret, signed, nil, body); got != (secret != "") {
			t.Fatalf("Authenticate(%q) of its own signature = %v", secret, got)
		}
		if Authenticate(secret, signed, nil, append(body, ' ')) {
			t.Fatalf("Authenticate(%q) accepted a signature over another body", secret)
		}
	})
}
