package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// seedFleet gives s something on every page: pending requests with long
// names, an image with tags, a policy, devices with labels and a manual
// rollout of them. It returns the image's and the rollout's ids.
func seedFleet(t *testing.T, s *apitest.Server) (imageID, rolloutID int64) {
	t.Helper()
	for _, img := range []string{"ghcr.io/acme-industrial-automation/very-long-sensor-gateway-image-name:2024.11.3-rc1",
		"docker.io/library/nginx:1.27", "portainer/portainer-ce:2.21"} {
		if r := push(t, s, img); r.Status != 403 {
			t.Fatalf("push %s: %d %s", img, r.Status, r.Body)
		}
	}
	var img airlock.Image
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "category": "database",
		"description": "An in-memory store used as the cache on every gateway in the fleet"}).JSON(t, &img)
	s.Must(201, "POST", fmt.Sprintf("/api/v1/images/%d/tags", img.ID), map[string]any{"tag": "7.4-alpine"})
	s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis:*", "update_strategy": "manual"})
	for i := range 5 {
		uuid := fmt.Sprintf("3f2a9c1e-7b4d-4e8a-9c2f-00000000000%d", i)
		s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": uuid, "name": fmt.Sprintf("gateway-berlin-warehouse-%d", i),
			"labels": map[string]string{"site": "berlin-warehouse-north", "fleet": "production"}})
		s.Must(200, "PUT", "/api/v1/devices/"+uuid+"/target-state", map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.4-alpine"}}})
	}
	var ro airlock.Rollout
	s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.5-alpine", "update_strategy": "manual", "batch_size": 2}).JSON(t, &ro)
	return img.ID, ro.ID
}

// noSideways is true when neither the page nor any control in it reaches
// past the viewport's edges: nothing scrolls sideways, nothing is clipped.
const noSideways = `(() => {
	const doc = document.scrollingElement;
	if (doc.scrollWidth > doc.clientWidth) return 'the page is ' + doc.scrollWidth + 'px wide in ' + doc.clientWidth + 'px';
	for (const el of document.querySelectorAll('main button, main a, main input, main select')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		if (r.left < 0 || r.right > doc.clientWidth + 0.5) return (el.dataset.testid || el.textContent.trim() || el.tagName) + ' spans ' + r.left + '–' + r.right;
	}
	return '';
})()`

// onScreen is true when the element sel matches lies wholly in the viewport, unscrolled.
func onScreen(sel string) string {
	return fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= document.scrollingElement.clientWidth; })()`, sel)
}

// TestResponsive: at 390, 1,024 and 1,400 px every main page fits its
// width (no sideways scrolling, no control past the edge); at 390 the first
// Approve button is on screen without scrolling. Screenshots of each are
// kept. The same tab checks that a mistyped token stays in the sign-in box.
func TestResponsive(t *testing.T) {
	t.Parallel()
	s := server(t)
	imageID, rolloutID := seedFleet(t, s)
	s.Must(201, "POST", "/api/v1/registries", map[string]any{"host": "registry.acme-industrial-automation.example:5000", "kind": "distribution",
		"aliases": []string{"10.20.30.40:5000", "registry-mirror.berlin-warehouse-north.example:5000"}, "username": "puller", "password": "x"})
	s.Token(airlock.RoleApprover)
	p := open(t, s)
	p.do("opening the UI at 390 px", chromedp.EmulateViewport(390, 844), chromedp.Navigate(p.base+"/"))
	p.typeInto("[data-testid=token]", "alk_mistyped-token")
	p.click("[data-testid=signin-submit]")
	p.waitFor("a wrong token is refused", exists("[data-testid=signin] [data-testid=error]"))
	if got := eval[string](p, `document.querySelector('[data-testid=token]').value`); got != "alk_mistyped-token" {
		t.Errorf("after a refused token the box holds %q, want the token typed", got)
	}
	if focused := eval[string](p, `document.activeElement.dataset.testid`); focused != "token" {
		t.Errorf("after a refused token focus is on %q, want the token box", focused)
	}

	pages := []struct{ name, route, loaded string }{
		{"approvals", "/approvals", "[data-testid=approval-row] [data-testid=approve]"},
		{"images", "/images", "[data-testid=image-row]"},
		{"image", fmt.Sprintf("/images/%d", imageID), "[data-testid=tag-row]"},
		{"policies", "/policies", "[data-testid=policy-row]"},
		{"rollouts", "/rollouts", "[data-testid=rollout-row]"},
		{"rollout", fmt.Sprintf("/rollouts/%d", rolloutID), "[data-testid=device-row]"},
		{"devices", "/devices", "[data-testid=device-row] [data-testid=device-app]"},
		{"events", "/events", "[data-testid=event-row]"},
		{"registries", "/registries", "[data-testid=registry-row]"},
		{"tokens", "/tokens", "[data-testid=token-row]"},
		{"releases-empty", "/releases", "[data-testid=releases]"},
		{"rules-empty", "/rules", "[data-testid=rules]"},
		{"fleet-behind", "/fleet", "[data-testid=fleet-row]"},
	}
	for i, width := range []int64{390, 1024, 1400} {
		if i > 0 { // a tab per width keeps each within its time budget
			p = open(t, s)
		}
		p.do(fmt.Sprintf("setting the viewport to %d px", width), chromedp.EmulateViewport(width, 844))
		p.signIn(apitest.AdminToken)
		for _, pg := range pages {
			t.Run(fmt.Sprintf("%d/%s", width, pg.name), func(t *testing.T) {
				p := p.in(t)
				p.goTo(pg.route)
				p.waitFor(pg.name+" is loaded", exists(pg.loaded))
				if pg.name == "approvals" && !eval[bool](p, onScreen("[data-testid=approve]")) {
					t.Errorf("the first Approve button is not on screen: %s", eval[string](p,
						`JSON.stringify(document.querySelector('[data-testid=approve]').getBoundingClientRect())`))
				}
				if pg.name == "rollout" {
					p.waitFor("the download bytes", `/^\d+(\.\d)? [kMGT]?B$/.test(document.querySelector('[data-testid=rollout-download]').textContent)`)
				}
				if why := eval[string](p, noSideways); why != "" {
					t.Errorf("%s at %d px: %s", pg.name, width, why)
				}
				screenshot(t, p, fmt.Sprintf("%s-%d.png", pg.name, width))
			})
		}
	}
}

// contrast computes, in the page, the contrast against white of a colour
// as getComputedStyle gives it (rgb() or rgba(), alpha laid over white).
const contrast = `function contrast(css) {
	const [r, g, b, a = 1] = css.match(/[\d.]+/g).map(Number);
	const lin = (c) => { c = (c * a + 255 * (1 - a)) / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
	const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
	return 1.05 / (l + 0.05);
}`

// TestContrastAndFocus: the borders of inputs, selects and buttons and the
// focus ring reach 3:1 against white; after approving a request, focus is
// on the next request's Approve button, not lost to the document.
func TestContrastAndFocus(t *testing.T) {
	s := server(t)
	seedFleet(t, s)
	p := open(t, s)
	p.signIn(apitest.AdminToken)
	p.goTo("/images")
	p.waitFor("the images", exists("[data-testid=image-row]"))
	low := eval[[]string](p, `(() => { `+contrast+`
		return [...document.querySelectorAll('main input, main select, main textarea, main button')].flatMap((el) => {
			const st = getComputedStyle(el);
			if (st.borderTopStyle === 'none' || parseFloat(st.borderTopWidth) === 0 || el.offsetParent === null) return [];
			const c = contrast(st.borderTopColor);
			return c >= 3 ? [] : [(el.dataset.testid || el.textContent.trim() || el.tagName) + ' border ' + st.borderTopColor + ' ' + c.toFixed(2) + ':1'];
		}); })()`)
	if len(low) > 0 {
		t.Errorf("borders under 3:1 against white: %q", low)
	}
	checked := eval[int](p, `document.querySelectorAll('main input, main select, main button').length`)
	if checked < 3 {
		t.Fatalf("only %d controls on the page: the check proves nothing", checked)
	}

	// The focus ring, as a keyboard user sees it: on the search box, then on a button reached with Tab.
	p.do("focusing the search box", chromedp.Focus(chromedp.CSS("[data-testid=image-search]")))
	for _, key := range []string{"", kb.Tab, kb.Tab} {
		if key != "" {
			p.do("pressing Tab", chromedp.KeyEvent(key))
		}
		ring := eval[string](p, `(() => { `+contrast+`
			const el = document.activeElement, st = getComputedStyle(el);
			if (!el.matches(':focus-visible')) return el.tagName + ' has focus but no visible focus';
			if (st.outlineStyle === 'none' || parseFloat(st.outlineWidth) < 2) return el.tagName + ' outline ' + st.outlineStyle + ' ' + st.outlineWidth;
			const c = contrast(st.outlineColor);
			return c >= 3 ? '' : el.tagName + ' outline ' + st.outlineColor + ' ' + c.toFixed(2) + ':1'; })()`)
		if ring != "" {
			t.Errorf("focus ring: %s", ring)
		}
	}

	p.goTo("/approvals")
	p.waitFor("three requests", `document.querySelectorAll('[data-testid=approval-row]').length === 3`)
	p.click("[data-testid=approval-row] [data-testid=approve]")
	p.waitFor("the request leaves the queue", `document.querySelectorAll('[data-testid=approval-row]').length === 2`)
	p.waitFor("focus is on the next request's Approve button", `document.activeElement.dataset.testid === 'approve'`)
}

// in is p for a subtest: the same tab, failing t.
func (p *page) in(t *testing.T) *page {
	return &page{t: t, ctx: p.ctx, base: p.base}
}

// hashQuery is the query of the page's URL fragment, e.g. "status=failed&page=2".
func hashQuery(p *page) string {
	h := eval[string](p, "location.hash")
	_, q, _ := strings.Cut(h, "?")
	return q
}
