package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/distribution/distribution/v3/configuration"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/registrytest"
)

// text is a JavaScript expression: the text of the element sel matches.
func text(sel string) string {
	return fmt.Sprintf("document.querySelector(%q).textContent", sel)
}

// wantFieldError waits for the API's error to show by the field named
// name, and checks that field has the focus.
func (p *page) wantFieldError(form, name, want string) {
	p.t.Helper()
	input := fmt.Sprintf("document.querySelector('%s [name=%s]')", form, name)
	p.waitFor("the error shows by "+name, input+".getAttribute('aria-invalid') === 'true'")
	if msg := eval[string](p, input+".closest('.field').querySelector('[data-testid=field-error]').textContent"); !strings.Contains(msg, want) {
		p.t.Errorf("message by %s: %q, want it to say %q", name, msg, want)
	}
	if !eval[bool](p, "document.activeElement === "+input) {
		p.t.Errorf("the field %s, at fault, does not have the focus", name)
	}
}

// confirm presses the row's button, then the dialog's confirm button.
func (p *page) confirm(button string) {
	p.t.Helper()
	p.click(button)
	p.waitFor("the dialog", exists("dialog[open] [data-testid=dialog-confirm]"))
	p.click("[data-testid=dialog-confirm]")
}

// secretGone fails if the page or the tab's storage still holds secret.
func (p *page) secretGone(secret string) {
	p.t.Helper()
	where := eval[string](p, fmt.Sprintf(`(() => { const s = %q;
		if (document.body.innerHTML.includes(s)) return 'the page';
		for (const st of [sessionStorage, localStorage]) for (let i = 0; i < st.length; i++) if (st.getItem(st.key(i)).includes(s)) return 'storage';
		return ''; })()`, secret))
	if where != "" {
		p.t.Errorf("the secret is still in %s", where)
	}
}

// delivery is the webhook answer's status for an empty Distribution
// envelope sent with secret as a bearer token.
func delivery(s *apitest.Server, secret string) int {
	return s.Do("POST", "/api/v1/webhooks/distribution", "", map[string]any{"events": []any{}}, "Authorization", "Bearer "+secret).Status
}

// readmeYAML is the Distribution block of the README.
func readmeYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\nnotifications:")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("the README has no Distribution notifications block")
	}
	return "notifications:" + block
}

// parseNotifications reads the block the UI shows as Distribution would,
// inside an otherwise minimal config.yml.
func parseNotifications(t *testing.T, block string) configuration.Notifications {
	t.Helper()
	cfg, err := configuration.Parse(strings.NewReader("version: 0.1\nstorage:\n  inmemory: {}\n" + block))
	if err != nil {
		t.Fatalf("Distribution refuses the config shown: %v\n%s", err, block)
	}
	return cfg.Notifications
}

// TestRegistryDeclareShowsSecretOnce: at 390 px an admin declares a
// Distribution registry (a bad alias refused at its field first). The
// webhook URL, secret and config.yml block are shown once: the block is the
// README's, Distribution parses it, and a real Distribution registry so
// configured gets its pushes decided. After a reload the secret is nowhere;
// a rotation shows a new one and the old stops working; edit and delete.
func TestRegistryDeclareShowsSecretOnce(t *testing.T) {
	t.Parallel()
	s := server(t)
	p := open(t, s)
	p.do("setting the viewport to 390 px", chromedp.EmulateViewport(390, 844))
	p.signIn(apitest.AdminToken)
	p.goTo("/registries")
	p.waitFor("no registry yet", exists("[data-testid=registries] [data-testid=empty]"))

	var secret, yaml string
	reg := registrytest.Start(t, registrytest.Options{Notify: func(host string) (string, http.Header) {
		yaml, secret = declareInUI(p, host)
		n := parseNotifications(t, yaml)
		if len(n.Endpoints) != 1 || !n.EventConfig.IncludeReferences {
			t.Fatalf("parsed notifications: %+v", n)
		}
		e := n.Endpoints[0]
		if want := []string{"pull", "mount"}; !slices.Equal(e.Ignore.Actions, want) {
			t.Errorf("ignored actions %q, want %q", e.Ignore.Actions, want)
		}
		if got, want := slices.Sorted(slices.Values(e.Ignore.MediaTypes)), slices.Sorted(slices.Values(registrytest.BlobMediaTypes)); !slices.Equal(got, want) {
			t.Errorf("ignored media types %q, want %q", got, want)
		}
		return e.URL, e.Headers
	}})
	if why := eval[string](p, noSideways); why != "" {
		t.Errorf("with the secret shown at 390 px: %s", why)
	}
	screenshot(t, p, "registry-secret-390.png")
	fromREADME := strings.NewReplacer(s.URL+"/api/v1/webhooks/distribution", "http://airlock:4002/api/v1/webhooks/distribution", secret, "whr_…").Replace(yaml)
	if want := readmeYAML(t); fromREADME != want {
		t.Errorf("the config shown is not the README's:\n%s\nREADME:\n%s", fromREADME, want)
	}

	digest, err := reg.PushImage(context.Background(), "acme/sensor", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	if d := reg.WaitForPush(digest); d.Status != 200 || !strings.Contains(string(d.Response), `"allowed":false`) {
		t.Fatalf("the push, sent as configured: %d %s", d.Status, d.Response)
	}

	wantRegistryListed(t, s, reg, secret)
	p.do("reloading", chromedp.Reload())
	p.waitFor("the registry after a reload", exists("[data-testid=registry-row]"))
	if eval[bool](p, exists("[data-testid=registry-secret]")) {
		t.Error("after a reload the secret card is still shown")
	}
	p.secretGone(secret)

	row := fmt.Sprintf(`[data-testid=registry-row][data-host="%s"]`, reg.Host())
	rotateInUI(t, p, s, row, secret)
	editAndDeleteInUI(t, p, s, row, reg.Port())
}

// wantRegistryListed checks the API lists the declared registry without its secret.
func wantRegistryListed(t *testing.T, s *apitest.Server, reg *registrytest.Registry, secret string) {
	var list struct{ Items []airlock.Registry }
	r := s.Must(200, "GET", "/api/v1/registries", nil)
	r.JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Host != reg.Host() || !slices.Equal(list.Items[0].Aliases, []string{"localhost:" + reg.Port()}) ||
		!list.Items[0].Insecure || list.Items[0].Username != "puller" || !list.Items[0].PasswordSet || strings.Contains(string(r.Body), secret) {
		t.Fatalf("registries after declaring: %s", r.Body)
	}
}

// rotateInUI rotates the registry's secret in the page: a new one is shown
// once, the old one stops working.
func rotateInUI(t *testing.T, p *page, s *apitest.Server, row, secret string) {
	p.confirm(row + " [data-testid=rotate-secret]")
	p.waitFor("the new secret", exists("[data-testid=registry-secret] [data-testid=webhook-secret]"))
	rotated := eval[string](p, text("[data-testid=webhook-secret]"))
	if rotated == secret || !strings.HasPrefix(rotated, "whr_") || !strings.Contains(eval[string](p, text("[data-testid=notify-config]")), "Bearer "+rotated) {
		t.Fatalf("after rotating: secret %q (was %q)", rotated, secret)
	}
	if focused := eval[string](p, "document.activeElement.dataset.testid"); focused != "registry-secret" {
		t.Errorf("after rotating, focus is on %q, want the new secret", focused)
	}
	if old, now := delivery(s, secret), delivery(s, rotated); old != 401 || now != 200 {
		t.Errorf("deliveries after rotating: old secret %d (want 401), new %d (want 200)", old, now)
	}
	p.click("[data-testid=secret-done]")
	p.waitFor("the card is gone, focus on the registry's Edit", "!"+exists("[data-testid=registry-secret]")+
		" && document.activeElement.dataset.testid === 'edit-registry'")
	p.secretGone(rotated)
}

// editAndDeleteInUI adds an alias in the edit form, then deletes the registry.
func editAndDeleteInUI(t *testing.T, p *page, s *apitest.Server, row, port string) {
	p.click(row + " [data-testid=edit-registry]")
	p.typeInto("[data-testid=registry-form] [name=aliases]", "localhost:"+port+", [::1]:"+port)
	p.click("[data-testid=save-registry]")
	p.waitFor("the aliases saved, focus back on Edit", fmt.Sprintf("%s.includes('[::1]:%s') && document.activeElement.dataset.testid === 'edit-registry'",
		text(row), port))

	p.confirm(row + " [data-testid=delete-registry]")
	p.waitFor("no registry, focus on Declare", exists("[data-testid=registries] [data-testid=empty]")+
		" && document.activeElement.dataset.testid === 'declare-registry'")
	if r := s.Must(200, "GET", "/api/v1/registries", nil); !strings.Contains(string(r.Body), `"total":0`) {
		t.Fatalf("after deleting: %s", r.Body)
	}
}

// declareInUI declares host as a Distribution registry in the form, after
// the API has refused the host itself as an alias, and returns the config
// block and the secret the page shows.
func declareInUI(p *page, host string) (yaml, secret string) {
	p.t.Helper()
	form := "[data-testid=registry-form]"
	p.click("[data-testid=declare-registry]")
	p.typeInto(form+" [name=host]", host)
	p.typeInto(form+" [name=aliases]", host)
	p.click("[data-testid=save-registry]")
	p.wantFieldError(form, "aliases", "own host")

	_, port, _ := strings.Cut(host, ":")
	p.typeInto(form+" [name=aliases]", "localhost:"+port)
	p.click(form + " [name=insecure]")
	p.typeInto(form+" [name=username]", "puller")
	p.typeInto(form+" [name=password]", "pull-password")
	p.click("[data-testid=save-registry]")
	p.waitFor("the secret card", exists("[data-testid=registry-secret] [data-testid=notify-config]"))
	if focused := eval[string](p, "document.activeElement.dataset.testid"); focused != "registry-secret" {
		p.t.Errorf("after declaring, focus is on %q, want the secret", focused)
	}
	if !eval[bool](p, exists("[data-testid=registry-row]")) {
		p.waitFor("the registry is listed", exists("[data-testid=registry-row]"))
	}
	if shown := eval[string](p, text("[data-testid=webhook-url]")); !strings.HasSuffix(shown, "/api/v1/webhooks/distribution") {
		p.t.Errorf("webhook URL shown: %q", shown)
	}
	return eval[string](p, text("[data-testid=notify-config]")), eval[string](p, text("[data-testid=webhook-secret]"))
}

// TestTokenCreateShowsSecretOnce: an admin makes a viewer token (a missing
// name refused at its field first) and sees its secret once; it works, and
// signed in with it a viewer is offered neither admin page nor any write
// control. After a reload the secret is nowhere; revoked, the API refuses
// it (401) and the viewer's tab is signed out.
func TestTokenCreateShowsSecretOnce(t *testing.T) {
	t.Parallel()
	s := server(t)
	p := open(t, s)
	p.signIn(apitest.AdminToken)
	p.goTo("/tokens")
	p.waitFor("the admin token is listed", exists("[data-testid=token-row]"))
	p.click("[data-testid=create-token]")
	p.wantFieldError("[data-testid=token-form]", "name", "required")
	p.typeInto("[data-testid=token-form] [name=name]", "kiosk-display")
	p.choose("[data-testid=token-form] [name=role]", "viewer")
	p.click("[data-testid=create-token]")
	p.waitFor("the secret card", exists("[data-testid=token-once] [data-testid=token-secret]"))
	secret := eval[string](p, text("[data-testid=token-secret]"))
	if focused := eval[string](p, "document.activeElement.dataset.testid"); focused != "token-once" {
		t.Errorf("after creating, focus is on %q, want the secret", focused)
	}
	p.click("[data-testid=copy-token-secret]")
	p.waitFor("the copy is acknowledged", exists("[data-testid=toast]"))

	var me struct{ Name, Role string }
	r := s.Do("GET", "/api/v1/me", secret, nil)
	if r.Status != 200 {
		t.Fatalf("GET /me with the new token: %d %s", r.Status, r.Body)
	}
	if r.JSON(t, &me); me.Name != "kiosk-display" || me.Role != airlock.RoleViewer {
		t.Fatalf("the new token is %+v", me)
	}

	viewer := open(t, s)
	viewer.signIn(secret)
	if shown := eval[[]string](viewer, `[...document.querySelectorAll('#nav li:not([hidden]) a')].map((a) => a.dataset.testid)`); slices.Contains(shown, "nav-tokens") ||
		slices.Contains(shown, "nav-registries") {
		t.Errorf("a viewer's nav offers %q", shown)
	}

	p.do("reloading", chromedp.Reload())
	row := `[data-testid=token-row][data-name="kiosk-display"]`
	p.waitFor("the token after a reload, used", exists(row+" td:nth-child(4) time"))
	if eval[bool](p, exists("[data-testid=token-once]")) {
		t.Error("after a reload the secret card is still shown")
	}
	p.secretGone(secret)

	p.confirm(row + " [data-testid=revoke-token]")
	p.waitFor("the token shows revoked, focus on its state", exists(row+" .badge.revoked")+
		" && document.activeElement.dataset.testid === 'token-state'")
	if eval[bool](p, exists(row+" [data-testid=revoke-token]")) {
		t.Error("a revoked token still offers Revoke")
	}
	if r := s.Do("GET", "/api/v1/me", secret, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("GET /me with the revoked token: %d, want 401", r.Status)
	}
	viewer.goTo("/images")
	viewer.waitFor("the viewer's tab is signed out", exists("[data-testid=signin] [data-testid=error]"))
}

// TestAdminPagesOfferNoWritesToOthers: an approver and a viewer who open
// the registries or tokens page are told it is for admins, and offered no
// control; an admin sees the write controls there.
func TestAdminPagesOfferNoWritesToOthers(t *testing.T) {
	t.Parallel()
	s := server(t)
	s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": "registry.lab:5000", "kind": "harbor"})
	admin := open(t, s)
	admin.signIn(apitest.AdminToken)
	for _, route := range []string{"/registries", "/tokens"} {
		admin.goTo(route)
		admin.waitFor(route+" is loaded", exists("table[data-testid="+route[1:]+"] tbody tr[data-key]"))
		if got := eval[[]string](admin, writeControls); len(got) == 0 {
			t.Errorf("%s: an admin sees no write controls; the check below proves nothing", route)
		}
	}
	for _, role := range []string{airlock.RoleApprover, airlock.RoleViewer} {
		p := open(t, s)
		p.signIn(s.Token(role))
		for _, route := range []string{"/registries", "/tokens"} {
			p.goTo(route)
			p.waitFor(route+" says it is for admins", exists("[data-testid=admin-only]"))
			if got := eval[[]string](p, writeControls); len(got) != 0 {
				t.Errorf("%s as %s: offered %q", route, role, got)
			}
		}
	}
}
