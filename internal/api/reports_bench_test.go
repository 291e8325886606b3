package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// reportClients is how many devices report at once in BenchmarkReports.
const reportClients = 8

// BenchmarkReports measures device state reports over real HTTP from 8
// parallel clients, in reports a second, on each engine. The target is
// 10,000 a second on both (issue 20):
//
//	go test ./internal/api -run '^$' -bench Reports -benchtime 20000x -count 3
func BenchmarkReports(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			s := apitest.Start(b, storetest.URL(b, engine))
			devs := make([]reporter, 64)
			for i := range devs {
				var d struct {
					UUID   string `json:"uuid"`
					APIKey string `json:"api_key"`
				}
				s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": fmt.Sprintf("rep-%d", i)}).JSON(b, &d)
				devs[i] = reporter{s.URL + "/api/v1/devices/" + d.UUID + "/state", d.APIKey}
			}
			benchReports(b, devs)
		})
	}
}

type reporter struct{ url, key string }

var reportBody = []byte(`{"platform": "linux/arm64", "apps": {"agent": {"image": "iotistic/agent:v1", "status": "running", "health": "healthy"},` +
	` "cache": {"image": "redis:7.2-alpine", "status": "running"}}, "metrics": {"cpu_percent": 12.5, "memory_percent": 40, "uptime_seconds": 3600}}`)

// benchReports sends b.N reports from reportClients goroutines, each
// reporting for its own devices, so no device has two reports in flight.
func benchReports(b *testing.B, devs []reporter) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections)
	var sent atomic.Int64
	var wg sync.WaitGroup
	before := processCPU()
	b.ResetTimer()
	for c := range reportClients {
		wg.Go(func() {
			for i := c; sent.Add(1) <= int64(b.N); i += reportClients {
				d := devs[i%len(devs)]
				req, _ := http.NewRequest("PATCH", d.url, bytes.NewReader(reportBody))
				req.Header.Set("Authorization", "Bearer "+d.key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					b.Errorf("report: status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	// This process's CPU (server and clients) a report: what the machine's
	// other load does not inflate. PostgreSQL's own is not in it.
	b.ReportMetric(float64((processCPU()-before).Microseconds())/float64(b.N), "cpu-µs/report")
}
