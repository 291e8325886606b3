package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

type deviceItem struct {
	UUID   string            `json:"uuid"`
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Health string            `json:"health"`
	Apps   []struct {
		App          string `json:"app"`
		CurrentImage string `json:"current_image"`
		TargetImage  string `json:"target_image"`
		Status       string `json:"status"`
		Healthy      bool   `json:"healthy"`
	} `json:"apps"`
}

type devicePage struct {
	Items          []deviceItem `json:"items"`
	Total          int          `json:"total"`
	TotalEstimated bool         `json:"total_estimated"`
	Next           string       `json:"next"`
}

// importFleet imports n devices gw-1…gw-n (site a or b) running iotistic/agent:v1
// and returns their keys by uuid.
func importFleet(t *testing.T, s *apitest.Server, n int) map[string]string {
	t.Helper()
	var body strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&body, `{"uuid": "gw-%d", "name": "gateway %03d", "labels": {"site": "site-%c"},`+
			` "target_state": {"apps": {"agent": {"image": "iotistic/agent:v1"}}}}`+"\n", i, n+1-i, "ab"[i%2])
	}
	keys := map[string]string{}
	for _, a := range importAnswers(t, s.Admin("POST", "/api/v1/devices/import", body.String())) {
		if a.Error != "" {
			t.Fatalf("import: %+v", a)
		}
		keys[a.UUID] = a.APIKey
	}
	return keys
}

// walk pages through path with ?after=, limit at a time, and returns the uuids in order.
func walk(t *testing.T, s *apitest.Server, path string, limit int) []string {
	t.Helper()
	var uuids []string
	after := ""
	for range 100 {
		var p devicePage
		s.Must(200, "GET", fmt.Sprintf("%s&limit=%d&after=%s", path, limit, url.QueryEscape(after)), nil).JSON(t, &p)
		for _, d := range p.Items {
			uuids = append(uuids, d.UUID)
		}
		if p.Next == "" {
			return uuids
		}
		after = p.Next
	}
	t.Fatal("paging does not end")
	return nil
}

func TestDeviceListPagesByKeyWithAppsAndHealth(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		keys := importFleet(t, s, 23)
		report := func(uuid, image string, healthy bool) {
			body := map[string]any{"apps": map[string]any{"agent": map[string]any{"image": image, "status": "running", "healthy": healthy}}}
			if r := s.Do("PATCH", statePath(uuid), keys[uuid], body); r.Status != 204 {
				t.Fatalf("report: %d %s", r.Status, r.Body)
			}
		}
		report("gw-1", "iotistic/agent:v1", true)
		report("gw-2", "iotistic/agent:v1", false)
		report("gw-3", "iotistic/agent:v0", true)

		byName := walk(t, s, "/api/v1/devices?sort=name", 5)
		if len(byName) != 23 || byName[0] != "gw-23" || byName[22] != "gw-1" {
			t.Fatalf("by name: %v", byName)
		}
		newest := walk(t, s, "/api/v1/devices?sort=-uuid", 4)
		if !slices.IsSortedFunc(newest, func(a, b string) int { return strings.Compare(b, a) }) || len(newest) != 23 {
			t.Fatalf("by uuid, descending: %v", newest)
		}
		if got := walk(t, s, "/api/v1/devices?labels=site=site-a", 3); len(got) != 11 {
			t.Fatalf("site a: %d devices %v", len(got), got)
		}

		var p devicePage // fields left out of an answer keep their zero values: each decode gets a fresh one
		s.Must(200, "GET", "/api/v1/devices?q=GATEWAY%2002&sort=uuid", nil).JSON(t, &p)
		if p.Total != 4 || p.TotalEstimated || len(p.Items) != 4 || p.Next != "" { // gateway 020…023
			t.Fatalf("q: %+v", p)
		}
		s.Must(200, "GET", "/api/v1/devices?sort=uuid&limit=3", nil).JSON(t, &p)
		health := map[string]string{}
		for _, d := range p.Items {
			health[d.UUID] = d.Health
		}
		if health["gw-1"] != "healthy" || health["gw-10"] != "unknown" || health["gw-11"] != "unknown" {
			t.Fatalf("health: %v", health)
		}
		s.Must(200, "GET", "/api/v1/devices?q=gw-2&sort=uuid&limit=1", nil).JSON(t, &p)
		a := p.Items[0].Apps
		if p.Items[0].Health != "unhealthy" || len(a) != 1 || a[0].App != "agent" || a[0].Healthy ||
			a[0].TargetImage != "docker.io/iotistic/agent:v1" || a[0].CurrentImage != "docker.io/iotistic/agent:v1" {
			t.Fatalf("gw-2: %+v", p.Items[0])
		}
		s.Must(200, "GET", "/api/v1/devices?q=gw-3&sort=uuid&limit=1", nil).JSON(t, &p)
		if p.Items[0].Health != "updating" || p.Items[0].Apps[0].CurrentImage != "docker.io/iotistic/agent:v0" {
			t.Fatalf("gw-3: %+v", p.Items[0])
		}

		for _, bad := range []string{"sort=size", "after=nobody", "q=" + strings.Repeat("x", 201)} {
			if r := s.Admin("GET", "/api/v1/devices?"+bad, nil); r.Status != 422 {
				t.Errorf("%s: %d %s", bad, r.Status, r.Body)
			}
		}
	})
}

func TestDeviceTotalIsEstimatedPastTheCap(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		importFleet(t, s, 10_050)
		var p devicePage
		s.Must(200, "GET", "/api/v1/devices?limit=1", nil).JSON(t, &p)
		if !p.TotalEstimated || p.Total < 10_000 {
			t.Fatalf("10,050 devices: total %d, estimated %v", p.Total, p.TotalEstimated)
		}
		p = devicePage{}
		s.Must(200, "GET", "/api/v1/devices?limit=1&q=gateway", nil).JSON(t, &p)
		if !p.TotalEstimated || p.Total != 10_000 {
			t.Fatalf("all of them, filtered: total %d, estimated %v", p.Total, p.TotalEstimated)
		}
		p = devicePage{}
		s.Must(200, "GET", "/api/v1/devices?limit=1&labels=site=site-a", nil).JSON(t, &p)
		if p.TotalEstimated || p.Total != 5025 {
			t.Fatalf("half of them, filtered: total %d, estimated %v", p.Total, p.TotalEstimated)
		}
		p = devicePage{}
		s.Must(200, "GET", "/api/v1/devices?limit=1&q=gateway%20100", nil).JSON(t, &p)
		if p.TotalEstimated || p.Total != 62 { // gateway 100, 1000…1009, 10000…10050
			t.Fatalf("a search: total %d, estimated %v", p.Total, p.TotalEstimated)
		}
		deep := walk(t, s, "/api/v1/devices?sort=-name&q=gateway%201", 50)
		// gw-i is named "gateway %03d" of 10051-i: 100…199, 1000…1999 and 10000…10050 match, 1999 first
		if len(deep) != 1151 || deep[0] != "gw-8052" || deep[1150] != "gw-9951" || len(slices.Compact(slices.Sorted(slices.Values(deep)))) != 1151 {
			t.Fatalf("%d devices named gateway 1…: %v…", len(deep), deep[:3])
		}
	})
}

func TestRolloutListsPageByKey(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		approveRedis(t, s)
		s.Must(201, "POST", "/api/v1/policies", map[string]any{"image_pattern": "redis", "batch_size": 5})
		newSimFleet(t, s, 5, "redis:7.4-alpine")
		var ids []int64
		for _, tag := range []string{"7.5-alpine", "7.6-alpine", "7.7-alpine"} {
			ro, _ := pushed(t, s, "redis:"+tag)
			ids = append(ids, ro.ID)
		}
		type page struct {
			Items []struct {
				ID     int64  `json:"id"`
				Tag    string `json:"tag"`
				Status string `json:"status"`
			} `json:"items"`
			Total int    `json:"total"`
			Next  string `json:"next"`
		}
		var p page
		s.Must(200, "GET", "/api/v1/rollouts?limit=2", nil).JSON(t, &p)
		if p.Total != 3 || len(p.Items) != 2 || p.Items[0].ID != ids[2] || p.Next != fmt.Sprint(ids[1]) {
			t.Fatalf("first page: %+v", p)
		}
		next := p.Next
		p = page{}
		s.Must(200, "GET", "/api/v1/rollouts?limit=2&after="+next, nil).JSON(t, &p)
		if len(p.Items) != 1 || p.Items[0].ID != ids[0] || p.Next != "" {
			t.Fatalf("second page: %+v", p)
		}
		s.Must(200, "GET", "/api/v1/rollouts?sort=created&status=superseded,in_progress&q=ALPINE", nil).JSON(t, &p)
		if len(p.Items) != 3 || p.Items[0].ID != ids[0] {
			t.Fatalf("oldest first, two statuses: %+v", p)
		}
		p = page{}
		s.Must(200, "GET", "/api/v1/rollouts?status=completed_with_failures,waiting_for_window", nil).JSON(t, &p)
		if len(p.Items) != 0 || p.Total != 0 {
			t.Fatalf("statuses none has: %+v", p)
		}
		s.Must(200, "GET", "/api/v1/rollouts?q=7.6", nil).JSON(t, &p)
		if len(p.Items) != 1 || p.Items[0].Tag != "7.6-alpine" {
			t.Fatalf("q=7.6: %+v", p)
		}
		for _, bad := range []string{"status=done", "status=in_progress,", "sort=image", "after=x"} {
			if r := s.Admin("GET", "/api/v1/rollouts?"+bad, nil); r.Status != 422 {
				t.Errorf("%s: %d %s", bad, r.Status, r.Body)
			}
		}

		rolloutDevicesByKey(t, s, ids[2])
	})
}

// rolloutDevicesByKey pages through the five devices of rollout id two at a time.
func rolloutDevicesByKey(t *testing.T, s *apitest.Server, id int64) {
	t.Helper()
	var seen []string
	after := ""
	for range 10 {
		var d struct {
			Items []struct {
				DeviceUUID string `json:"device_uuid"`
			} `json:"items"`
			Next string `json:"next"`
		}
		s.Must(200, "GET", fmt.Sprintf("/api/v1/rollouts/%d/devices?limit=2&after=%s", id, url.QueryEscape(after)), nil).JSON(t, &d)
		for _, it := range d.Items {
			seen = append(seen, it.DeviceUUID)
		}
		if after = d.Next; after == "" {
			break
		}
	}
	if want := []string{"dev-1", "dev-2", "dev-3", "dev-4", "dev-5"}; !slices.Equal(seen, want) {
		t.Fatalf("rollout devices by key: %v", seen)
	}
	if r := s.Admin("GET", fmt.Sprintf("/api/v1/rollouts/%d/devices?after=1/dev-1", id), nil); r.Status != 422 {
		t.Fatalf("a malformed cursor: %d", r.Status)
	}
}
