package api_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// BenchmarkDevicePage reads a page of 50 devices from the middle of a
// 100,000-device fleet (issue 20: under 50 ms at 1M), by key (?after=) and,
// as the baseline, by offset, the only way before keyset paging:
//
//	go test ./internal/api -run '^$' -bench DevicePage -count 3
func BenchmarkDevicePage(b *testing.B) {
	const fleet = 100_000
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			s := apitest.Start(b, storetest.URL(b, engine))
			var next atomic.Int64
			for range fleet / 20_000 {
				if r := s.Admin("POST", "/api/v1/devices/import", importBody(20_000, &next)); r.Status != 200 {
					b.Fatalf("import: %d", r.Status)
				}
			}
			var mid devicePage
			s.Must(200, "GET", fmt.Sprintf("/api/v1/devices?limit=1&offset=%d", fleet/2), nil).JSON(b, &mid)
			pages := map[string]string{
				"offset":        fmt.Sprintf("/api/v1/devices?limit=50&offset=%d", fleet/2),
				"after":         "/api/v1/devices?limit=50&after=" + mid.Items[0].UUID,
				"after-by-name": "/api/v1/devices?limit=50&sort=name&after=" + mid.Items[0].UUID,
				"label-filter":  "/api/v1/devices?limit=50&labels=site=s7&after=" + mid.Items[0].UUID,
			}
			for _, name := range []string{"offset", "after", "after-by-name", "label-filter"} {
				b.Run(name, func(b *testing.B) {
					for range b.N {
						s.Must(200, "GET", pages[name], nil)
					}
				})
			}
		})
	}
}
