package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// futureAPI serves s through a proxy that edits its JSON answers, to put
// a page in states a short test cannot reach by a real run (a next batch
// minutes away, a rollout completed with failures, a skipped device). The
// edit set with set() is applied to every 200 JSON answer; the rest passes
// as is.
type futureAPI struct {
	URL  string
	mu   sync.Mutex
	edit func(path string, body map[string]any)
}

func newFutureAPI(t *testing.T, s *apitest.Server) *futureAPI {
	t.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &futureAPI{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = f.modify
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *futureAPI) set(edit func(path string, body map[string]any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edit = edit
}

func (f *futureAPI) modify(res *http.Response) error {
	f.mu.Lock()
	edit := f.edit
	f.mu.Unlock()
	if edit == nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return err
	}
	edit(res.Request.URL.Path, body)
	if raw, err = json.Marshal(body); err != nil {
		return err
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	res.ContentLength = int64(len(raw))
	res.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	return nil
}

// TestRolloutFailureAnalysis: on the real API, starting a rollout from its
// page records who did it in the page's activity and leaves the focus on
// the control now offered. With the fields the API is to add, the page
// counts down to the next batch, shows each batch's times, and shows a
// rollout completed with failures as that (not a green 100%), with each
// failed device's name, message and exit code, and a skipped device's reason.
func TestRolloutFailureAnalysis(t *testing.T) {
	s := server(t)
	_, id := seedFleet(t, s)
	api := newFutureAPI(t, s)
	p := open(t, s)
	p.base = api.URL
	p.signIn(apitest.AdminToken)
	p.goTo(fmt.Sprintf("/rollouts/%d", id))
	p.waitFor("the pending rollout", exists("[data-testid=rollout-start]"))
	p.click("[data-testid=rollout-start]")
	p.waitFor("it runs", `document.querySelector('[data-testid=rollout-status]').dataset.status === 'in_progress'`)
	p.waitFor("focus is on the control now offered", `document.activeElement.dataset.testid === 'rollout-pause'`)
	p.waitFor("the activity names who started it", `[...document.querySelectorAll('[data-testid=activity-item]')].some((e) =>
		e.dataset.type === 'image.rollout_started' && e.querySelector('[data-testid=activity-actor]').textContent === 'bootstrap-admin')`)

	next := time.Now().Add(95 * time.Second).UTC()
	api.set(func(path string, body map[string]any) {
		if path == fmt.Sprintf("/api/v1/rollouts/%d", id) {
			body["next_batch_at"] = next.Format(time.RFC3339)
		}
	})
	p.goTo("/rollouts")
	p.goTo(fmt.Sprintf("/rollouts/%d", id))
	countdown := regexp.MustCompile(`^Next batch in 1m (3[0-5]|2\d)s$`)
	p.waitFor("the countdown", `/^Next batch in/.test(document.querySelector('[data-testid=countdown]').textContent)`)
	if got := eval[string](p, `document.querySelector('[data-testid=countdown]').textContent`); !countdown.MatchString(got) {
		t.Errorf("countdown %q, want about 1m 35s", got)
	}

	api.set(completedWithFailures(id, time.Now().UTC()))
	p.goTo("/rollouts")
	p.waitFor("the list shows it", `document.querySelector('[data-testid=rollout-row] [data-testid=badge]').textContent === 'completed with failures'`)
	p.goTo(fmt.Sprintf("/rollouts/%d", id))
	p.waitFor("the status", `document.querySelector('[data-testid=rollout-status]').dataset.status === 'completed_with_failures'`)
	checks := map[string]string{
		"the badge says so":           `document.querySelector('[data-testid=rollout-status] .badge').textContent === 'completed with failures'`,
		"the badge is not green":      `(({ color, backgroundColor }) => color !== 'rgb(30, 123, 52)' && backgroundColor !== 'rgb(220, 242, 226)')(getComputedStyle(document.querySelector('[data-testid=rollout-status] .badge')))`,
		"a summary of the failures":   `document.querySelector('[data-testid=failure-summary]').textContent.includes('2 devices failed or timed out')`,
		"the count of failures":       `document.querySelector('[data-testid=progress-failures]').textContent === '2 failed or timed out'`,
		"the failed device's message": `document.querySelector('[data-testid=device-row][data-device$="03"] [data-testid=device-message]').textContent.startsWith('exec /docker-entrypoint.sh: exec format error')`,
		"its exit code":               `document.querySelector('[data-testid=device-row][data-device$="03"] [data-testid=exit-code]').textContent.trim() === 'exit code 1'`,
		"device names":                `document.querySelector('[data-testid=device-row][data-device$="03"] [data-testid=device-name]').textContent === 'gateway-berlin-warehouse-3'`,
		"each batch's start":          `[...document.querySelectorAll('[data-testid=batch-started]')].every((e) => e.querySelector('time'))`,
		"each batch's end":            `[...document.querySelectorAll('[data-testid=batch-finished]')].every((e) => e.querySelector('time'))`,
		"a skipped device's reason":   `document.querySelector('[data-testid=device-row][data-device$="02"][data-status=skipped] [data-testid=device-reason]').textContent === 'its platform linux/arm/v6 is not in the release'`,
		"no countdown once done":      `document.querySelector('[data-testid=countdown]').hidden`,
	}
	for what, expr := range checks {
		p.waitFor(what, expr)
	}
}

// completedWithFailures edits rollout id's answers as the API is to give
// them once it finished with two of five devices failed.
func completedWithFailures(id int64, now time.Time) func(string, map[string]any) {
	ts := func(min int) string { return now.Add(time.Duration(min) * time.Minute).Format(time.RFC3339) }
	counts := map[string]any{"pending": 0, "updating": 0, "succeeded": 3, "failed": 1, "timed_out": 1, "rolled_back": 0, "skipped": 0}
	finish := func(r map[string]any) {
		r["status"], r["counts"], r["current_batch"] = "completed_with_failures", counts, 3
		batches, _ := r["batches"].([]any)
		times := make([]any, len(batches))
		for i, b := range batches {
			times[i] = map[string]any{"batch": b.(map[string]any)["batch"], "status": "done",
				"started_at": ts(-30 + 10*i), "completed_at": ts(-25 + 10*i)}
		}
		r["batch_times"] = times
	}
	return func(path string, body map[string]any) {
		switch path {
		case "/api/v1/rollouts":
			for _, r := range body["items"].([]any) {
				if r := r.(map[string]any); r["id"] == float64(id) {
					finish(r)
				}
			}
		case fmt.Sprintf("/api/v1/rollouts/%d", id):
			finish(body)
		case fmt.Sprintf("/api/v1/rollouts/%d/devices", id):
			for _, d := range body["items"].([]any) {
				d := d.(map[string]any)
				uuid := d["device_uuid"].(string)
				d["device_name"] = "gateway-berlin-warehouse-" + uuid[len(uuid)-1:]
				d["status"] = "succeeded"
				switch {
				case strings.HasSuffix(uuid, "03"):
					d["status"], d["outcome"], d["message"], d["exit_code"] = "failed", "failed", "exec /docker-entrypoint.sh: exec format error", 1
				case strings.HasSuffix(uuid, "02"):
					d["status"], d["batch"], d["error"] = "skipped", 0, "its platform linux/arm/v6 is not in the release"
				case strings.HasSuffix(uuid, "04"):
					d["status"], d["message"] = "timed_out", "no healthy report within 300s"
				}
			}
		}
	}
}
