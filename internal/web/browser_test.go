package web_test

// Browser tests: the real server (apitest, on SQLite) and Debian's Chromium,
// headless, driven with chromedp. They skip where /usr/bin/chromium is
// absent; .ci/run installs it, so they always run in CI.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

const chromium = "/usr/bin/chromium"

// The browser is started once, on first use, and shared: each test gets a
// tab of its own (its own sessionStorage, as each server has its own origin).
var browser struct {
	once   sync.Once
	ctx    context.Context
	err    error
	cancel []context.CancelFunc
	dir    string
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(browser.cancel) - 1; i >= 0; i-- {
		browser.cancel[i]()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser tests need Chromium at %s (apt-get install chromium); skipping", chromium)
	}
	browser.once.Do(func() {
		browser.dir, browser.err = os.MkdirTemp("", "airlock-chromium-")
		if browser.err != nil {
			return
		}
		alloc, cancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromium),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			// every tab runs its timers at full speed, as a tab in front would
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.UserDataDir(browser.dir),
			chromedp.WindowSize(1366, 900),
		)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browser.cancel = []context.CancelFunc{cancel, cancelCtx}
		browser.err = chromedp.Do(ctx) // starts the browser, with no deadline
		browser.ctx = ctx
	})
	if browser.err != nil {
		t.Fatalf("starting Chromium: %v", browser.err)
	}
	return browser.ctx
}

// server starts Airlock over a fresh SQLite database. The browser tests run
// on SQLite only: the API underneath is tested on both engines elsewhere.
func server(t *testing.T, opts ...apitest.Option) *apitest.Server {
	t.Helper()
	return apitest.Start(t, storetest.URL(t, store.SQLite), opts...)
}

// page is one browser tab on one server.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu   sync.Mutex
	errs []string
}

// open opens a tab on s. Any script error or console error in it fails the test.
func open(t *testing.T, s *apitest.Server) *page {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(startBrowser(t))
	t.Cleanup(cancelTab)
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 45*time.Second)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx, base: s.URL}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A refused request is the API's answer, shown by the page; anything else is a bug.
			if m.IsException() || (m.Type == chromedp.ConsoleError && !strings.Contains(m.Text, "Failed to load resource")) {
				p.mu.Lock()
				p.errs = append(p.errs, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range p.errs {
			t.Errorf("browser console: %s", e)
		}
	})
	return p
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

func (p *page) fail(what string, err error) {
	p.t.Helper()
	html, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
	p.t.Fatalf("%s: %v\npage text:\n%s", what, err, html)
}

// waitFor waits until the JavaScript expression is true; while it throws
// (an element not there yet), it is false.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	safe := fmt.Sprintf("(() => { try { return (%s); } catch { return false; } })()", expr)
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](safe,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		p.fail("waiting until "+what, err)
	}
}

// eval returns the value of a JavaScript expression.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.fail("evaluating "+expr, err)
	}
	return v
}

// exists is a JavaScript expression: an element matches the CSS selector.
func exists(sel string) string {
	return fmt.Sprintf("document.querySelector(%q) !== null", sel)
}

// click clicks the element sel matches, once it is visible. A live page
// may replace it between finding and clicking it (an event re-rendered the
// list), as a user would not notice: then it is found again.
func (p *page) click(sel string) {
	p.t.Helper()
	var err error
	for range 3 {
		err = chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel)))
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
	}
	if err != nil {
		p.fail("clicking "+sel, err)
	}
}

// typeInto focuses the field sel matches, selects what it holds and types
// text over it in one insertion (an input event, as typing makes; key by key
// is slow and tests nothing more).
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.do("typing into "+sel, chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select?.()`),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
}

// goTo shows a page of the UI by its route, e.g. "/images/3".
func (p *page) goTo(route string) {
	p.t.Helper()
	p.do("going to "+route, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("location.hash = %q", "#"+route)))
}

// signIn opens the UI and signs in with token, as a user pasting it would.
func (p *page) signIn(token string) {
	p.t.Helper()
	p.do("opening the UI", chromedp.Navigate(p.base+"/"))
	p.typeInto("[data-testid=token]", token)
	p.click("[data-testid=signin-submit]")
	p.waitFor("signed in", `document.querySelector('[data-testid=whoami]').textContent !== ''`)
	p.waitFor("the stream is live", `document.getElementById('live').dataset.state === 'live'`)
}

// writeControls lists the controls on the page that would change something:
// those marked data-write, and any button or button-like link whose label
// is a write action.
const writeControls = `[...document.querySelectorAll('main button, main a.button, main [data-write]')]
	.filter((e) => e.matches('[data-write]') ||
		/^(approve|reject|delete|deprecate|restore|recommend|unrecommend|save|add|create|new|start|pause|resume|cancel|roll back)\b/i.test(e.textContent.trim()))
	.map((e) => e.textContent.trim())`
