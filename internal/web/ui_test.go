package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// push sends a registry webhook for image and returns the status.
func push(t *testing.T, s *apitest.Server, image string) apitest.Response {
	t.Helper()
	return s.Do("POST", "/api/v1/webhooks/docker-registry?token="+apitest.WebhookSecret, "", map[string]string{"image": image})
}

func TestServesTheUI(t *testing.T) {
	t.Parallel()
	s := server(t)
	for path, want := range map[string]string{"/": "text/html", "/ui/app.css": "text/css", "/ui/js/app.js": "text/javascript"} {
		r := s.Do("GET", path, "", nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
		}
		if !strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, r.Header.Get("Content-Security-Policy"))
		}
		if again := s.Do("GET", path, "", nil, "If-None-Match", r.Header.Get("ETag")); again.Status != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", path, again.Status)
		}
	}
	if r := s.Do("GET", "/ui/nope.js", "", nil); r.Status != 404 {
		t.Errorf("GET /ui/nope.js: %d", r.Status)
	}
	// The API keeps its JSON 404 beside the UI.
	if r := s.Do("GET", "/api/v1/nope", apitest.AdminToken, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"error"`) {
		t.Errorf("GET /api/v1/nope: %d %s", r.Status, r.Body)
	}
	var me struct{ Name, Role string }
	s.Do("GET", "/api/v1/me", s.Token(airlock.RoleViewer), nil).JSON(t, &me)
	if me.Role != airlock.RoleViewer || me.Name == "" {
		t.Errorf("GET /api/v1/me as a viewer: %+v", me)
	}
}

// TestSignInAndApprove: an unknown image pushed waits in the queue; an
// admin signs in, approves it, and its next push passes the gate. Two
// more are rejected at once, with a reason.
func TestSignInAndApprove(t *testing.T) {
	s := server(t)
	for _, img := range []string{"docker.io/library/nginx:1.27", "portainer/portainer-ce:2.21", "grafana/grafana:11.0.0"} {
		if r := push(t, s, img); r.Status != 403 {
			t.Fatalf("push %s: %d %s", img, r.Status, r.Body)
		}
	}
	p := open(t, s)

	p.do("opening the UI", chromedp.Navigate(p.base+"/"))
	p.typeInto("[data-testid=token]", "alk_not-a-token")
	p.click("[data-testid=signin-submit]")
	p.waitFor("a wrong token is refused", exists("[data-testid=signin] [data-testid=error]"))

	p.signIn(apitest.AdminToken)
	nginx := `[data-testid=approval-row][data-image="docker.io/library/nginx"]`
	p.waitFor("the pending request is listed", exists(nginx))
	// The count and the list are loaded apart: the count may arrive second.
	p.waitFor("the nav counts 3 pending", `document.getElementById('pending-count').textContent === '3'`)
	p.click(nginx + " [data-testid=approve]")
	p.waitFor("the request leaves the queue", "!("+exists(nginx)+")")
	p.waitFor("the nav count drops", `document.getElementById('pending-count').textContent === '2'`)

	var imgs struct {
		Items []airlock.Image
	}
	s.Must(200, "GET", "/api/v1/images?search=nginx", nil).JSON(t, &imgs)
	if len(imgs.Items) != 1 || imgs.Items[0].ApprovalStatus != airlock.StatusApproved {
		t.Fatalf("after approving in the UI: %+v", imgs.Items)
	}
	if r := push(t, s, "docker.io/library/nginx:1.27"); r.Status != 200 {
		t.Fatalf("push after approval: %d %s", r.Status, r.Body)
	}

	p.click("[data-testid=select-all]")
	p.click("[data-testid=reject-selected]")
	p.typeInto("dialog textarea", "not vetted by security")
	p.click("[data-testid=dialog-confirm]")
	p.waitFor("the queue is empty", exists("[data-testid=approvals] [data-testid=empty]"))
	var reqs struct {
		Items []airlock.ApprovalRequest
	}
	s.Must(200, "GET", "/api/v1/approval-requests?status=rejected", nil).JSON(t, &reqs)
	if len(reqs.Items) != 2 || reqs.Items[0].Reason != "not vetted by security" {
		t.Fatalf("rejected requests: %+v", reqs.Items)
	}
}

// TestDeprecateTag: an approver finds an image, deprecates one of its tags
// with a reason, and the gate refuses that tag from then on.
func TestDeprecateTag(t *testing.T) {
	s := server(t)
	var img airlock.Image
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "category": "database"}).JSON(t, &img)
	for _, tag := range []string{"6-alpine", "7.4-alpine"} {
		s.Must(201, "POST", fmt.Sprintf("/api/v1/images/%d/tags", img.ID), map[string]any{"tag": tag})
	}
	p := open(t, s)
	p.signIn(s.Token(airlock.RoleApprover))
	p.goTo("/images")
	p.typeInto("[data-testid=image-search]", "red")
	p.waitFor("the search finds redis", exists(`[data-testid=image-row][data-image="docker.io/library/redis"] a`))
	p.click(`[data-testid=image-row][data-image="docker.io/library/redis"] a`)

	row := `[data-testid=tag-row][data-tag="6-alpine"]`
	p.waitFor("the tags are listed", exists(row))
	p.click(row + " [data-testid=deprecate]")
	p.typeInto("dialog textarea", "EOL: use 7.4-alpine")
	p.click("[data-testid=dialog-confirm]")
	p.waitFor("the tag shows deprecated", exists(row+" .badge.deprecated"))
	if got := eval[string](p, `document.querySelector('`+row+` [data-testid=deprecated-reason]').textContent`); got != "EOL: use 7.4-alpine" {
		t.Errorf("reason shown: %q", got)
	}

	r := push(t, s, "redis:6-alpine")
	if r.Status != 403 || !strings.Contains(string(r.Body), "Tag deprecated") {
		t.Fatalf("push of the deprecated tag: %d %s", r.Status, r.Body)
	}
	if r := push(t, s, "redis:7.4-alpine"); r.Status != 200 {
		t.Fatalf("push of another tag: %d %s", r.Status, r.Body)
	}
}

// TestPolicyFormShowsFieldErrors: the API's validation message appears next
// to the field it names, which gets the focus; the fixed form saves.
func TestPolicyFormShowsFieldErrors(t *testing.T) {
	s := server(t)
	p := open(t, s)
	p.signIn(apitest.AdminToken)
	p.goTo("/policies")
	p.waitFor("the empty state", exists("[data-testid=policies] [data-testid=empty]"))
	p.click("[data-testid=new-policy]")
	p.typeInto("[data-testid=field-image_pattern]", "redis:*")
	p.typeInto("[data-testid=field-batch_size]", "2")
	p.typeInto("[data-testid=field-failure_threshold_percent]", "150")
	p.click("[data-testid=save-policy]")
	field := "document.querySelector('[data-testid=field-failure_threshold_percent]')"
	p.waitFor("the error shows by its field", field+".getAttribute('aria-invalid') === 'true'")
	if msg := eval[string](p, field+".closest('.field').querySelector('[data-testid=field-error]').textContent"); !strings.Contains(msg, "between 1 and 100") {
		t.Fatalf("message by the field: %q", msg)
	}
	if focused := eval[bool](p, "document.activeElement === "+field); !focused {
		t.Error("the field at fault does not have the focus")
	}
	p.typeInto("[data-testid=field-failure_threshold_percent]", "50")
	p.click("[data-testid=save-policy]")
	p.waitFor("the policy is listed", exists(`[data-testid=policy-row][data-pattern="redis:*"]`))
}

// TestViewerSeesNoWriteButtons: on every page where an admin has controls
// that change something, a viewer has none; and the API refuses a viewer anyway.
func TestViewerSeesNoWriteButtons(t *testing.T) {
	s := server(t)
	if r := push(t, s, "nginx:1.27"); r.Status != 403 {
		t.Fatalf("push: %d", r.Status)
	}
	var img airlock.Image
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"}).JSON(t, &img)
	s.Must(201, "POST", fmt.Sprintf("/api/v1/images/%d/tags", img.ID), map[string]any{"tag": "7.4-alpine"})
	var pol airlock.Policy
	s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "update_strategy": "manual"}).JSON(t, &pol)
	s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": "dev-1"})
	s.Must(200, "PUT", "/api/v1/devices/dev-1/target-state", map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.4-alpine"}}})
	var ro airlock.Rollout
	s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.5-alpine", "update_strategy": "manual"}).JSON(t, &ro)

	pages := []struct{ route, loaded string }{
		{"/approvals", "[data-testid=approval-row]"},
		{"/images", "[data-testid=image-row]"},
		{fmt.Sprintf("/images/%d", img.ID), "[data-testid=tag-row]"},
		{"/policies", "[data-testid=policy-row]"},
		{fmt.Sprintf("/policies/%d", pol.ID), "[data-testid=policy-form]"},
		{"/rollouts", "[data-testid=rollout-row]"},
		{fmt.Sprintf("/rollouts/%d", ro.ID), "[data-testid=rollout-status]"},
	}
	admin, viewer := open(t, s), open(t, s)
	admin.signIn(apitest.AdminToken)
	viewerToken := s.Token(airlock.RoleViewer)
	viewer.signIn(viewerToken)
	for _, pg := range pages {
		for _, who := range []*page{admin, viewer} {
			who.goTo(pg.route)
			who.waitFor(pg.route+" is loaded", exists(pg.loaded))
		}
		if got := eval[[]string](admin, writeControls); len(got) == 0 {
			t.Errorf("%s: an admin sees no write controls; the check below proves nothing", pg.route)
		}
		if got := eval[[]string](viewer, writeControls); len(got) != 0 {
			t.Errorf("%s: a viewer is offered %q", pg.route, got)
		}
	}

	var reqs struct{ Items []airlock.ApprovalRequest }
	s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &reqs)
	for _, try := range []struct{ method, path string }{
		{"POST", fmt.Sprintf("/api/v1/approval-requests/%d/approve", reqs.Items[0].ID)},
		{"PUT", fmt.Sprintf("/api/v1/images/%d/tags/%d", img.ID, img.ID)},
		{"POST", fmt.Sprintf("/api/v1/rollouts/%d/start", ro.ID)},
	} {
		if r := s.Do(try.method, try.path, viewerToken, "{}"); r.Status != http.StatusForbidden {
			t.Errorf("%s %s as a viewer: %d, want 403", try.method, try.path, r.Status)
		}
	}
}

// TestImageLifecycle: add an image through the form (its error shown by the
// field first), edit it, add and recommend a tag, filter the list, delete it.
func TestImageLifecycle(t *testing.T) {
	s := server(t)
	p := open(t, s)
	p.signIn(apitest.AdminToken)
	p.goTo("/images")
	p.waitFor("the empty registry", exists("[data-testid=images] [data-testid=empty]"))
	p.click("[data-testid=add-image]")
	p.typeInto("[data-testid=field-image_name]", "Not An Image!")
	p.click("[data-testid=add-image-submit]")
	p.waitFor("the name's error shows by its field", `document.querySelector('[data-testid=field-image_name]').getAttribute('aria-invalid') === 'true'`)
	p.typeInto("[data-testid=field-image_name]", "ghcr.io/acme/sensor")
	p.typeInto("[data-testid=add-image-form] [data-testid=field-category]", "telemetry")
	p.click("[data-testid=add-image-submit]")
	p.waitFor("the image's page", `document.querySelector('[data-testid=image-name]')?.textContent === 'ghcr.io/acme/sensor'`)

	p.typeInto("[data-testid=edit-image-form] [data-testid=field-description]", "reads the sensors")
	p.click("[data-testid=save-image]")
	p.waitFor("the description is saved", `document.querySelector('dl.facts').textContent.includes('reads the sensors')`)
	p.typeInto("[data-testid=add-tag-form] [data-testid=field-tag]", "1.4.2")
	p.click("[data-testid=add-tag-submit]")
	row := `[data-testid=tag-row][data-tag="1.4.2"]`
	p.waitFor("the tag is listed", exists(row))
	p.click(row + " [data-testid=toggle-recommended]")
	p.waitFor("the tag is recommended", exists(row+" .badge.recommended"))
	if focused := eval[string](p, "document.activeElement.dataset.testid"); focused != "toggle-recommended" {
		t.Errorf("after the list refreshed, focus is on %q, want the button pressed", focused)
	}

	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "category": "database"})
	p.goTo("/images")
	p.waitFor("both images", `document.querySelectorAll('[data-testid=image-row]').length === 2`)
	p.do("filtering by category", chromedp.SetValue(chromedp.CSS("[data-testid=image-category]"), "telemetry"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=image-category]').dispatchEvent(new Event('change'))`))
	p.waitFor("only the telemetry image", `document.querySelectorAll('[data-testid=image-row]').length === 1 && `+
		exists(`[data-testid=image-row][data-image="ghcr.io/acme/sensor"]`))

	p.click(`[data-testid=image-row][data-image="ghcr.io/acme/sensor"] a`)
	p.click("[data-testid=delete-image]")
	p.click("[data-testid=dialog-confirm]")
	p.waitFor("back on the list", exists("[data-testid=images]"))
	if r := s.Admin("GET", "/api/v1/images?search=sensor", nil); !strings.Contains(string(r.Body), `"total":0`) {
		t.Fatalf("after deleting: %s", r.Body)
	}
}
