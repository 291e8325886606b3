package api_test

import (
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestEveryRouteIsGuarded walks the route table: a route added without the
// guard its kind needs fails here.
func TestEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		viewer := s.Token(airlock.RoleViewer)
		weaker := map[api.Auth]string{api.Approver: viewer, api.Admin: s.Token(airlock.RoleApprover),
			api.Scanner: viewer, api.CI: viewer}
		// a scanner or ci token may call its own routes only
		sideways := map[api.Auth]string{api.Viewer: s.Token(airlock.RoleScanner), api.Approver: s.Token(airlock.RoleCI)}
		a, b := provision(t, s), provision(t, s)
		for _, rt := range s.API.Routes() {
			path := fill(rt.Path, a.UUID)
			try := func(what, token string, want int, header ...string) {
				t.Helper()
				r := s.Do(rt.Method, path, token, "{}", header...)
				if r.Status != want {
					t.Errorf("%s %s (%s) %s: status %d, want %d: %.200s", rt.Method, rt.Path, rt.Auth, what, r.Status, want, r.Body)
				}
			}
			switch rt.Auth {
			case api.Viewer, api.Approver, api.Admin, api.Scanner, api.CI:
				try("no token", "", 401)
				try("wrong token", "alk_wrong", 401)
				try("device key", a.Key, 401)
				try("webhook secret", apitest.WebhookSecret, 401)
				if tok, ok := weaker[rt.Auth]; ok {
					try("weaker role", tok, 403)
				}
				if tok, ok := sideways[rt.Auth]; ok {
					try("other role", tok, 403)
				}
			case api.Device:
				try("no key", "", 401)
				try("wrong key", "dk_wrong", 401)
				try("admin token", apitest.AdminToken, 401)
				try("other device's key", b.Key, 403)
			case api.Webhook:
				try("no secret", "", 401)
				try("wrong secret", "whs_wrong", 401)
				try("admin token", apitest.AdminToken, 401)
			case api.Public:
			default:
				t.Errorf("%s %s: unknown auth %v", rt.Method, rt.Path, rt.Auth)
			}
		}
	})
}

// fill puts values into a route pattern's wildcards.
func fill(pattern, uuid string) string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		switch {
		case seg == "{uuid}":
			seg = uuid
		case seg == "{source}":
			seg = "generic"
		case strings.HasPrefix(seg, "{"):
			seg = "1"
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

type device struct {
	UUID string `json:"uuid"`
	Key  string `json:"api_key"`
}

func provision(t *testing.T, s *apitest.Server) device {
	t.Helper()
	var d device
	s.Must(201, "POST", "/api/v1/devices", map[string]any{"name": "authz"}).JSON(t, &d)
	if d.UUID == "" || d.Key == "" {
		t.Fatalf("provisioned device without uuid or key: %+v", d)
	}
	return d
}
