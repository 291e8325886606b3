package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// uptimeReport is a report whose uptime metric tells reports apart.
func uptimeReport(n int) map[string]any {
	return map[string]any{"platform": "linux/arm64", "apps": map[string]any{"agent": map[string]any{"image": "iotistic/agent:v1", "status": "running"}},
		"metrics": map[string]any{"uptime_seconds": n, "cpu_percent": 1.5}}
}

// storedUptime is the uptime of the device's stored report, -1 when none.
func storedUptime(t *testing.T, db *store.DB, uuid string) int {
	t.Helper()
	r, err := fleet.Report(context.Background(), db, uuid)
	if err != nil {
		t.Error(err)
		return -1
	}
	if r == nil {
		return -1
	}
	return int(r.Metrics["uptime_seconds"].(float64))
}

// TestConcurrentReportsAreStoredWhenAnswered: 50 devices send 40 reports
// each at once, so reports commit together; every 204 is already readable
// when it arrives. Reports for a device deleted after its key was checked
// (the service called directly, in the same batches) get 404, and two
// devices reporting at once for the same device both succeed.
func TestConcurrentReportsAreStoredWhenAnswered(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const devices, reports = 24, 15
		keys := make([]string, devices)
		for i := range keys {
			_, keys[i] = newDevice(t, s, map[string]any{"uuid": fmt.Sprintf("r-%d", i)})
		}
		newDevice(t, s, map[string]any{"uuid": "shared"})
		var wg sync.WaitGroup
		for g := range devices {
			wg.Go(func() {
				uuid := fmt.Sprintf("r-%d", g)
				for n := range reports {
					if r := s.Do("PATCH", statePath(uuid), keys[g], uptimeReport(n)); r.Status != 204 {
						t.Errorf("%s report %d: %d %s", uuid, n, r.Status, r.Body)
						return
					}
					if got := storedUptime(t, s.DB, uuid); got != n {
						t.Errorf("%s: report %d answered 204 but %d is stored", uuid, n, got)
					}
				}
			})
		}
		ctx := context.Background()
		for g := range 4 {
			wg.Go(func() {
				for n := range reports {
					uuid := []string{"gone", "shared"}[g%2]
					_, err := s.Svc.ReportState(ctx, uuid, airlock.DeviceReport{Apps: map[string]airlock.AppReport{},
						Metrics: map[string]any{"uptime_seconds": float64(n)}})
					if gone := uuid == "gone"; gone != (airlock.ErrorCode(err) == airlock.ENOTFOUND) || !gone && err != nil {
						t.Errorf("report of %s: %v", uuid, err)
					}
				}
			})
		}
		wg.Wait()
		if got := storedUptime(t, s.DB, "shared"); got != reports-1 {
			t.Errorf("shared device: stored uptime %d, want %d", got, reports-1)
		}
		d := s.Must(200, "GET", "/api/v1/devices/r-7", nil).Map(t)
		if d["platform"] != "linux/arm64" || d["last_seen_at"] == nil {
			t.Errorf("device after reports: %v", d)
		}
	})
}

// TestReportToDeletedDeviceIsNotFound: the HTTP answer of a report whose
// device is gone by the time it is written.
func TestReportToDeletedDeviceIsNotFound(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		_, err := s.Svc.ReportState(context.Background(), "never", airlock.DeviceReport{Apps: map[string]airlock.AppReport{}})
		if airlock.ErrorCode(err) != airlock.ENOTFOUND || airlock.ErrorMessage(err) != "device never not found" {
			t.Fatalf("report of a missing device: %v", err)
		}
	})
}

// TestReportsAnsweredBeforeACrashAreKept: devices report while the server
// is killed (the database closed under whatever it was writing); every
// report answered 204 is in the database when it opens again.
func TestReportsAnsweredBeforeACrashAreKept(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := apitest.Start(t, dbURL)
		const devices = 20
		keys := make([]string, devices)
		for i := range keys {
			_, keys[i] = newDevice(t, s, map[string]any{"uuid": fmt.Sprintf("c-%d", i)})
		}
		acked := make([]int, devices) // the last report answered 204, per device
		var wg sync.WaitGroup
		for g := range devices {
			acked[g] = -1
			wg.Go(func() {
				for n := 0; ; n++ {
					if n == 30 && g == 0 {
						s.Kill()
					}
					r, ok := tryReport(s, fmt.Sprintf("c-%d", g), keys[g], n)
					if !ok {
						return
					}
					if r == 204 {
						acked[g] = n
					}
				}
			})
		}
		wg.Wait()
		db := storetest.Open(t, dbURL)
		for g, n := range acked {
			if got := storedUptime(t, db, fmt.Sprintf("c-%d", g)); got < n {
				t.Errorf("c-%d: report %d was answered 204 before the crash, but %d is stored", g, n, got)
			}
		}
	})
}

// tryReport sends report n of a device; ok is false once the server is gone.
func tryReport(s *apitest.Server, uuid, key string, n int) (status int, ok bool) {
	body, _ := json.Marshal(uptimeReport(n))
	req, _ := http.NewRequest("PATCH", s.URL+statePath(uuid), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, true
}
