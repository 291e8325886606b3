package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

func TestAuthenticate(t *testing.T) {
	const secret = "s3cret-value"
	body := []byte(`{"action": "published",  "package": {"name": "agent"}}`)
	// The same JSON as a server would re-encode it, which the TypeScript
	// service we replace signed by mistake.
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	reencoded, _ := json.Marshal(v)
	if bytes.Equal(reencoded, body) {
		t.Fatal("re-encoding left the body as it was; the test would prove nothing")
	}

	tests := []struct {
		name   string
		secret string
		h      http.Header
		q      url.Values
		want   bool
	}{
		{"token in the URL", secret, nil, url.Values{"token": {secret}}, true},
		{"bearer", secret, header("Authorization", "Bearer "+secret), nil, true},
		{"bearer in lowercase", secret, header("Authorization", "bearer "+secret), nil, true},
		{"verbatim Authorization (Harbor)", secret, header("Authorization", secret), nil, true},
		{"signature over the raw body", secret, header("X-Hub-Signature-256", Sign(secret, body)), nil, true},
		{"one good credential among bad ones", secret, header("Authorization", "Bearer nope", "X-Hub-Signature-256", Sign(secret, body)), url.Values{"token": {"nope"}}, true},

		{"nothing", secret, nil, nil, false},
		{"wrong token", secret, nil, url.Values{"token": {"s3cret-valuE"}}, false},
		{"token prefix", secret, nil, url.Values{"token": {"s3cret"}}, false},
		{"token longer", secret, nil, url.Values{"token": {secret + "x"}}, false},
		{"empty token", secret, nil, url.Values{"token": {""}}, false},
		{"wrong bearer", secret, header("Authorization", "Bearer wrong"), nil, false},
		{"bearer without a space", secret, header("Authorization", "Bearer"+secret), nil, false},
		{"other scheme", secret, header("Authorization", "Basic "+secret), nil, false},
		{"signature with the wrong secret", secret, header("X-Hub-Signature-256", Sign("other", body)), nil, false},
		{"signature over re-encoded JSON", secret, header("X-Hub-Signature-256", Sign(secret, reencoded)), nil, false},
		{"signature without its prefix", secret, header("X-Hub-Signature-256", Sign(secret, body)[len("sha256="):]), nil, false},
		{"signature in uppercase hex", secret, header("X-Hub-Signature-256", "sha256="+string(bytes.ToUpper([]byte(Sign(secret, body)[7:])))), nil, false},
		{"legacy SHA-1 header", secret, header("X-Hub-Signature", Sign(secret, body)), nil, false},
		{"secret in the signature header", secret, header("X-Hub-Signature-256", secret), nil, false},

		{"empty secret, empty token", "", nil, url.Values{"token": {""}}, false},
		{"empty secret, empty Authorization", "", header("Authorization", ""), nil, false},
		{"empty secret, bearer nothing", "", header("Authorization", "Bearer "), nil, false},
		{"empty secret, signed with it", "", header("X-Hub-Signature-256", Sign("", body)), nil, false},
	}
	for _, tt := range tests {
		h := tt.h
		if h == nil {
			h = http.Header{}
		}
		if got := Authenticate(tt.secret, h, tt.q, body); got != tt.want {
			t.Errorf("%s: Authenticate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSign(t *testing.T) {
	// From GitHub's documentation on validating webhook deliveries.
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := Sign("It's a Secret to Everybody", []byte("Hello, World!")); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
