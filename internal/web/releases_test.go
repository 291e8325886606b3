package web_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/apitest"
)

const nginxDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// seedReleases gives s a rolled-back rollout (so its content is known-bad
// and a push of it again is held), and a pinned nginx release with a Trivy
// report that a rule holds for its critical findings. It returns the ids
// of the known-bad and the nginx releases.
func seedReleases(t *testing.T, s *apitest.Server) (knownBad, scanned int64) {
	t.Helper()
	rolledBack(t, s)
	if r := push(t, s, "docker.io/library/redis:7.5-alpine"); r.Status != 200 {
		t.Fatalf("push again: %d %s", r.Status, r.Body)
	}
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "nginx"})
	s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no-high-cves", "image_pattern": "nginx:*",
		"kind": "vulnerabilities", "max_severity": "high"})
	report, err := os.ReadFile("../verify/testdata/trivy.json")
	if err != nil {
		t.Fatal(err)
	}
	s.Must(201, "POST", "/api/v1/scan-reports", strings.ReplaceAll(string(report),
		"sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f", nginxDigest))
	// The report has critical findings: the rule holds the release for a clean one.
	if r := push(t, s, "docker.io/library/nginx:1.27@"+nginxDigest); r.Status != 200 || !strings.Contains(string(r.Body), `"hold":"rules"`) {
		t.Fatalf("push nginx: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			ID   int64
			Name string
		}
	}
	s.Must(200, "GET", "/api/v1/releases", nil).JSON(t, &list)
	for _, r := range list.Items {
		if r.Name == "nginx" {
			scanned = r.ID
		} else {
			knownBad = max(knownBad, r.ID) // the redis release pushed again
		}
	}
	if knownBad == 0 || scanned == 0 {
		t.Fatalf("releases: %+v", list.Items)
	}
	return knownBad, scanned
}

// TestReleasesPages: the releases list filters by tag in the URL and marks
// content held as known bad; a
// release's page shows its digest, platforms, pinning, why it is held, the
// rule verdicts and the scan findings by severity; an admin clears a
// known-bad release with the deploy option, which starts a rollout the
// page then links. At 390 and 1,400 px nothing scrolls sideways;
// screenshots are kept.
func TestReleasesPages(t *testing.T) {
	t.Parallel()
	s := server(t, apitest.WithMonitor(20*time.Millisecond))
	knownBad, scanned := seedReleases(t, s)
	p := open(t, s)
	for _, width := range []int64{390, 1400} {
		p.do(fmt.Sprintf("setting the viewport to %d px", width), chromedp.EmulateViewport(width, 844))
		if width == 390 {
			p.signIn(apitest.AdminToken)
		}
		p.goTo("/releases?tag=7.5-alpine")
		p.waitFor("the redis releases", `document.querySelectorAll('[data-testid=release-row]').length === 2`)
		p.waitFor("marked known bad", `document.querySelectorAll('[data-testid=release-row] [data-testid=release-known-bad]').length === 2`)
		if got := eval[string](p, `document.querySelector('[data-testid=release-tag]').value`); got != "7.5-alpine" {
			t.Errorf("tag filter %q, want 7.5-alpine from the URL", got)
		}
		fits(t, p, width, "releases")
		p.goTo(fmt.Sprintf("/releases/%d", scanned))
		for what, expr := range map[string]string{
			"the digest":           `document.querySelector('[data-testid=release-digest]').textContent === '` + nginxDigest + `'`,
			"pinned":               `document.querySelector('[data-testid=release-pinned]').textContent.startsWith('yes')`,
			"the rule verdict":     `document.querySelector('[data-testid=verdict-row] td').textContent === 'no-high-cves'`,
			"findings by severity": `+document.querySelector('[data-testid=severity-critical] b').textContent > 0`,
			"the findings":         `document.querySelectorAll('[data-testid=finding-row]').length > 0`,
			"the size":             `/^(not known|[\d.]+ k?B|[\d.]+ [MGT]B)/.test(document.querySelector('[data-testid=release-size]').textContent)`,
		} {
			p.waitFor(what, expr)
		}
		fits(t, p, width, "release")
	}
	p.goTo(fmt.Sprintf("/releases/%d", knownBad))
	p.waitFor("why it is held", exists("[data-testid=known-bad]"))
	p.click("[data-testid=clear-deploy]")
	p.click("[data-testid=dialog-confirm]")
	p.waitFor("it is cleared", `!document.querySelector('[data-testid=known-bad]')`)
	p.waitFor("the toast", `[...document.querySelectorAll('[data-testid=toast]')].some((e) => /^Cleared; rollout #\d+ started\.$/.test(e.textContent))`)
	p.waitFor("the new rollout is linked", exists("[data-testid=release-rollout]"))
}

// fits fails t when the page scrolls sideways, and keeps a screenshot.
func fits(t *testing.T, p *page, width int64, name string) {
	t.Helper()
	if why := eval[string](p, noSideways); why != "" {
		t.Errorf("%s at %d px: %s", name, width, why)
	}
	screenshot(t, p, fmt.Sprintf("%s-%d.png", name, width))
}
