package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// BenchmarkImport measures bulk provisioning on each engine, in devices a
// second, beside its baseline in the same run: the same devices provisioned
// one request each, as before the import existed. The target is 20,000
// devices a second on both engines (issue 20):
//
//	go test ./internal/api -run '^$' -bench Import -benchtime 5x -count 3
func BenchmarkImport(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			s := apitest.Start(b, storetest.URL(b, engine))
			var next atomic.Int64
			b.Run("one-request-each", func(b *testing.B) {
				const n = 500
				for range b.N {
					for range n {
						i := next.Add(1)
						s.Must(201, "POST", "/api/v1/devices", map[string]any{"uuid": fmt.Sprintf("one-%d", i), "labels": map[string]string{"site": "s1"}})
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "devices/s")
			})
			b.Run("import", func(b *testing.B) {
				const n = 20_000
				var cpu time.Duration
				for range b.N {
					b.StopTimer()
					body := importBody(n, &next)
					before := processCPU()
					b.StartTimer()
					r := s.Admin("POST", "/api/v1/devices/import", body)
					b.StopTimer()
					cpu += processCPU() - before
					if r.Status != 200 || strings.Count(string(r.Body), `"api_key"`) != n {
						b.Fatalf("import: %d %.300s", r.Status, r.Body)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "devices/s")
				// CPU time of this process (server and client; PostgreSQL's own
				// is not in it) a device: what a busy machine does not inflate.
				b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/device")
			})
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// importBody is n import lines of fresh devices with labels and a target state.
func importBody(n int, next *atomic.Int64) string {
	var body strings.Builder
	for range n {
		i := next.Add(1)
		fmt.Fprintf(&body, `{"uuid": "imp-%d", "name": "gw-%d", "labels": {"site": "s%d", "fleet": "bench"}, "platform": "linux/arm64",`+
			` "target_state": {"apps": {"agent": {"image": "iotistic/agent:v1"}}}}`+"\n", i, i, i%50)
	}
	return body.String()
}
