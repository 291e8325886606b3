package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// TestRulesPage: an admin creates a rule from its page (a bad setting is
// shown at the settings box, a duplicate name at the top of the form),
// edits it and deletes it; at 390 and 1,400 px nothing scrolls sideways.
func TestRulesPage(t *testing.T) {
	t.Parallel()
	s := server(t)
	s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "no-latest", "image_pattern": "*", "kind": "tag", "deny": []string{"latest"}})
	p := open(t, s)
	p.do("setting the viewport to 390 px", chromedp.EmulateViewport(390, 844))
	p.signIn(apitest.AdminToken)
	p.goTo("/rules")
	p.waitFor("the rule", `document.querySelector('[data-testid=rule-row] [data-testid=rule-name]').textContent === 'no-latest'`)
	fits(t, p, 390, "rules")

	p.click("[data-testid=new-rule]")
	p.typeInto("[data-testid=field-name]", "no-latest")
	p.typeInto("[data-testid=field-image_pattern]", "ghcr.io/acme/*")
	p.do("choosing the kind", chromedp.SetValue(chromedp.CSS("[data-testid=field-kind]"), "vulnerabilities"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=field-kind]').dispatchEvent(new Event('change'))`))
	p.waitFor("the kind's template", `document.querySelector('[data-testid=field-settings]').value.includes('max_severity')`)
	p.typeInto("[data-testid=field-settings]", `{"max_severity": "huge"}`)
	p.click("[data-testid=rule-submit]")
	p.waitFor("the bad setting at the settings box", `document.querySelector('[data-testid=field-settings]').closest('.field').querySelector('[data-testid=field-error]').textContent.startsWith('max_severity: must be one of')`)
	p.typeInto("[data-testid=field-settings]", `{"max_severity": "medium"}`)
	p.click("[data-testid=rule-submit]")
	p.waitFor("the duplicate name", `document.querySelector('[data-testid=rule-form] [data-testid=error]').textContent.includes('exists already')`)
	p.typeInto("[data-testid=field-name]", "no-high-cves")
	p.click("[data-testid=rule-submit]")
	p.waitFor("the new rule", `document.querySelectorAll('[data-testid=rule-row]').length === 2 && document.querySelector('[data-testid=rule-form]').hidden`)

	p.do("setting the viewport to 1,400 px", chromedp.EmulateViewport(1400, 844))
	p.click(`[data-testid=rule-row] [aria-label="Edit no-high-cves"]`)
	p.waitFor("the form holds the rule", `document.querySelector('[data-testid=field-settings]').value.includes('"medium"')`)
	p.do("switching to warn", chromedp.SetValue(chromedp.CSS("[data-testid=field-mode]"), "warn"))
	p.click("[data-testid=rule-submit]")
	p.waitFor("it is saved", `[...document.querySelectorAll('[data-testid=rule-row]')].some((r) => r.textContent.includes('no-high-cves') && r.textContent.includes('warn'))`)
	fits(t, p, 1400, "rules")
	p.click(`[data-testid=rule-row] [aria-label="Delete no-latest"]`)
	p.click("[data-testid=dialog-confirm]")
	p.waitFor("it is gone", `document.querySelectorAll('[data-testid=rule-row]').length === 1`)
	var rules struct{ Items []struct{ Name, Mode string } }
	s.Must(200, "GET", "/api/v1/rules", nil).JSON(t, &rules)
	if len(rules.Items) != 1 || rules.Items[0].Name != "no-high-cves" || rules.Items[0].Mode != "warn" {
		t.Errorf("rules after the edits: %+v", rules.Items)
	}
}

// TestApprovalsNofM: under a rule asking two approvals, the queue shows
// each request's progress and who decided; one approval leaves it pending
// at 1 of 2, and Approve & deploy is offered.
func TestApprovalsNofM(t *testing.T) {
	t.Parallel()
	s := server(t)
	s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "two of N", "image_pattern": "docker.io/portainer/*",
		"kind": "approvals", "required": 2})
	if r := push(t, s, "portainer/portainer-ce:2.21"); r.Status != 403 {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	p := open(t, s)
	p.do("setting the viewport to 390 px", chromedp.EmulateViewport(390, 844))
	p.signIn(apitest.AdminToken)
	p.goTo("/approvals")
	p.waitFor("the request", `document.querySelector('[data-testid=approval-progress]').textContent.includes('0 of 2 approvals')`)
	p.click("[data-testid=approval-row] [data-testid=approve]")
	p.waitFor("one of two", `document.querySelector('[data-testid=approval-progress]').textContent.includes('1 of 2 approvals')`)
	p.waitFor("who approved", `document.querySelector('[data-testid=decision]').textContent.startsWith('bootstrap-admin (admin) approved')`)
	p.waitFor("Approve & deploy", exists("[data-testid=approval-row] [data-testid=approve-deploy]"))
	if got := eval[string](p, `document.querySelector('[data-testid=approval-meter]').value + '/' + document.querySelector('[data-testid=approval-meter]').max`); got != "1/2" {
		t.Errorf("meter %s, want 1/2", got)
	}
	if strings.Contains(eval[string](p, `document.querySelector('main').innerText`), "approved portainer") {
		t.Error("the request shows as approved after one of two approvals")
	}
	fits(t, p, 390, "approvals-n-of-m")
}
