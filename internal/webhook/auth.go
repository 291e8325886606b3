package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Authenticate reports whether a delivery carries the webhook secret: as
// ?token= (Docker Hub signs nothing), as "Authorization: Bearer <secret>",
// as a verbatim Authorization header (Harbor, Distribution), or as GitHub's
// X-Hub-Signature-256 over the raw body. The SHA-1 X-Hub-Signature is not
// accepted. An empty secret admits nothing.
func Authenticate(secret string, h http.Header, q url.Values, body []byte) bool {
	if secret == "" {
		return false
	}
	auth := h.Get("Authorization")
	return equal(q.Get("token"), secret) ||
		equal(auth, secret) ||
		len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") && equal(auth[7:], secret) ||
		equal(h.Get("X-Hub-Signature-256"), Sign(secret, body))
}

// Sign is the X-Hub-Signature-256 value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of the raw bytes, never of re-encoded JSON.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// equal compares in constant time; hashing first hides the length as well.
func equal(given, want string) bool {
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// Candidates are the values of a delivery that may be a registry's own
// secret: ?token=, a verbatim Authorization header and a bearer token.
// Registries' secrets are stored hashed, so they are looked up, never
// compared; an HMAC signature needs the secret itself and so works only
// with the global secret.
func Candidates(h http.Header, q url.Values) []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(q.Get("token"))
	auth := h.Get("Authorization")
	add(auth)
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		add(auth[7:])
	}
	return out
}
