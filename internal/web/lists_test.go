package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
)

// rows is a JavaScript expression: how many rows of testid the page shows.
func rows(testid string) string {
	return fmt.Sprintf("document.querySelectorAll('[data-testid=%s]').length", testid)
}

// choose sets the select sel to value, as a user picking it would.
func (p *page) choose(sel, value string) {
	p.t.Helper()
	p.do("choosing "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('change'))`, sel)))
}

func (p *page) history(step string) {
	p.t.Helper()
	p.do("history."+step, chromedp.Evaluate[chromedp.Void]("history."+step+"()"))
}

// wantQuery fails unless the URL fragment's query is want.
func (p *page) wantQuery(want string) {
	p.t.Helper()
	p.waitFor("the URL's query is "+want, fmt.Sprintf("(location.hash.split('?')[1] || '') === %q", want))
}

// TestListStateInURL: the approvals pager, sort, the rollouts' status filter
// and search, the devices' search and "needs attention" view, a rollout's
// device filter and the events' filter live in the URL: a reload brings the
// view back, and back/forward step through the views.
func TestListStateInURL(t *testing.T) {
	t.Parallel()
	s := server(t)
	_, first := seedFleet(t, s)
	for i := range 50 {
		if r := push(t, s, fmt.Sprintf("acme/service-%02d:1.0", i)); r.Status != 403 {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
	}
	s.Must(200, "POST", fmt.Sprintf("/api/v1/rollouts/%d/cancel", first), nil)
	var second airlock.Rollout
	s.Must(201, "POST", "/api/v1/rollouts", map[string]any{"image": "redis:7.6-alpine", "update_strategy": "manual"}).JSON(t, &second)

	p := open(t, s)
	p.signIn(apitest.AdminToken)
	t.Run("approvals page and sort", func(t *testing.T) { listApprovals(t, p.in(t)) })
	t.Run("rollouts filter and search", func(t *testing.T) { listRollouts(p.in(t), first, second.ID) })
	t.Run("devices search and offline view", func(t *testing.T) { listDevices(p.in(t)) })
	t.Run("rollout device filter", func(t *testing.T) { listRolloutDevices(p.in(t), second.ID) })
	t.Run("events filter", func(t *testing.T) { listEvents(p.in(t)) })
}

func listApprovals(t *testing.T, p *page) {
	p.goTo("/approvals")
	p.waitFor("the first page of 50", rows("approval-row")+" === 50")
	if got := eval[string](p, `document.querySelector('[data-testid=pager-range]').textContent`); got != "1–50 of 53" {
		t.Errorf("pager: %q", got)
	}
	p.click("[data-testid=pager-next]")
	p.wantQuery("page=2")
	p.waitFor("the second page", rows("approval-row")+" === 3")
	p.do("reloading", chromedp.Reload())
	p.waitFor("the second page after a reload", rows("approval-row")+" === 3")
	p.history("back")
	p.waitFor("back on the first page", rows("approval-row")+" === 50")
	p.history("forward")
	p.waitFor("forward to the second page", rows("approval-row")+" === 3")
	p.click("[data-testid=sort-image]")
	p.wantQuery("sort=image&page=2")
	p.waitFor("sorted by image", `[...document.querySelectorAll('[data-testid=approval-row]')].map((r) => r.dataset.image).join() ===
		[...document.querySelectorAll('[data-testid=approval-row]')].map((r) => r.dataset.image).sort().join()`)
}

func listRollouts(p *page, first, second int64) {
	p.goTo("/rollouts")
	p.waitFor("both rollouts", rows("rollout-row")+" === 2")
	p.choose("[data-testid=rollout-status-filter]", "cancelled")
	p.wantQuery("status=cancelled")
	p.waitFor("the cancelled one", rows("rollout-row")+fmt.Sprintf(" === 1 && document.querySelector('[data-testid=rollout-row]').dataset.id === '%d'", first))
	p.do("reloading", chromedp.Reload())
	p.waitFor("still filtered after a reload", rows("rollout-row")+" === 1 && document.querySelector('[data-testid=rollout-status-filter]').value === 'cancelled'")
	p.history("back")
	p.waitFor("back to every rollout", rows("rollout-row")+" === 2 && document.querySelector('[data-testid=rollout-status-filter]').value === ''")
	p.typeInto("[data-testid=rollout-search]", "7.6")
	p.wantQuery("q=7.6")
	p.waitFor("the search finds the 7.6 rollout", rows("rollout-row")+fmt.Sprintf(" === 1 && document.querySelector('[data-testid=rollout-row]').dataset.id === '%d'", second))
	p.click("[data-testid=view-failed]")
	p.wantQuery("status=failed")
	p.waitFor("the failing view is empty", exists("[data-testid=rollouts] [data-testid=empty]"))
}

func listDevices(p *page) {
	p.goTo("/devices")
	p.waitFor("five devices", rows("device-row")+" === 5")
	p.typeInto("[data-testid=device-search]", "warehouse-3")
	p.wantQuery("q=warehouse-3")
	p.waitFor("the search finds one", rows("device-row")+" === 1")
	p.click("[data-testid=view-offline]")
	p.wantQuery("online=false")
	p.waitFor("the offline view", rows("device-row")+" === 5 && document.querySelector('[data-testid=device-online]').value === 'false' && document.querySelector('[data-testid=device-search]').value === ''")
}

func listRolloutDevices(p *page, second int64) {
	p.goTo(fmt.Sprintf("/rollouts/%d", second))
	p.waitFor("its devices", rows("device-row")+" === 5")
	p.choose("[data-testid=device-status-filter]", "succeeded")
	p.wantQuery("status=succeeded")
	p.waitFor("none succeeded", exists("[data-testid=rollout-devices] [data-testid=empty]"))
	p.do("reloading", chromedp.Reload())
	p.waitFor("still filtered after a reload", exists("[data-testid=rollout-devices] [data-testid=empty]")+
		" && document.querySelector('[data-testid=device-status-filter]').value === 'succeeded'")
	p.history("back")
	p.waitFor("every device again", rows("device-row")+" === 5")
}

func listEvents(p *page) {
	p.goTo("/events")
	p.typeInto("[data-testid=event-type]", "image.rollout_*")
	p.wantQuery("type=image.rollout_*")
	p.waitFor("only rollout events", rows("event-row")+` > 0 && [...document.querySelectorAll('[data-testid=event-row]')].every((r) => r.dataset.type.startsWith('image.rollout_'))`)
	p.do("reloading", chromedp.Reload())
	p.waitFor("still filtered after a reload", `document.querySelector('[data-testid=event-type]').value === 'image.rollout_*' && `+rows("event-row")+` > 0 && [...document.querySelectorAll('[data-testid=event-row]')].every((r) => r.dataset.type.startsWith('image.rollout_'))`)
}
