package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDevicesPageRequestsAtFleetSize: with 500 devices the devices page
// needs at most 6 API requests (issue 19), whatever the page size, because
// the list carries each device's apps and health; its search is the API's.
func TestDevicesPageRequestsAtFleetSize(t *testing.T) {
	s := server(t)
	var body strings.Builder
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&body, `{"uuid": "dev-%03d", "name": "gateway-%03d", "labels": {"site": "s%d"},`+
			` "target_state": {"apps": {"agent": {"image": "iotistic/agent:v1"}}}}`+"\n", i, i, i%4)
	}
	if r := s.Admin("POST", "/api/v1/devices/import", body.String()); r.Status != 200 || strings.Count(string(r.Body), "api_key") != 500 {
		t.Fatalf("import: %d %.300s", r.Status, r.Body)
	}
	p := open(t, s)
	p.signIn(s.Token("viewer"))
	// Resource timings name every request the page makes from here on.
	p.do("clearing the timings", chromedp.Evaluate[chromedp.Void](`performance.clearResourceTimings(); performance.setResourceTimingBufferSize(10000)`))
	p.goTo("/devices")
	p.waitFor("a page of devices with their apps", rows("device-row")+" === 25 && "+rows("device-app")+" === 25")
	time.Sleep(time.Second) // any request the page still makes
	api := `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/') && !e.name.includes('/events/stream'))`
	if n := eval[int](p, api+".length"); n > 6 {
		t.Fatalf("the devices page made %d API requests: %v", n, eval[[]string](p, api+".map((e) => e.name)"))
	}

	p.do("clearing the timings", chromedp.Evaluate[chromedp.Void](`performance.clearResourceTimings()`))
	p.typeInto("[data-testid=device-search]", "GATEWAY-12")
	p.waitFor("the server's search", rows("device-row")+" === 10") // 120…129
	if n := eval[int](p, api+".filter((e) => e.name.includes('q=GATEWAY-12')).length"); n < 1 {
		t.Fatalf("the search did not ask the API: %v", eval[[]string](p, api+".map((e) => e.name)"))
	}
	p.wantQuery("q=GATEWAY-12")
}
