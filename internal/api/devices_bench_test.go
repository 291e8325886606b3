package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// The target-state poll is the hottest path: a fleet of 100,000 devices
// polling every 30 s is 3,300 requests a second, nearly all of them 304.
// BenchmarkPoll304 measures it over real HTTP against the real handler on
// SQLite; BenchmarkBaseline304 is a bare net/http handler answering 304, so
// the ratio between the two is what Airlock adds. Compare with
//
//	go test ./internal/api -run '^$' -bench 304 -cpu 1,2

type poller struct {
	url, key, etag string
}

func BenchmarkPoll304(b *testing.B) { benchPoll304(b, store.SQLite, true, 1) }

// BenchmarkPoll304Postgres is the same poll on PostgreSQL, with its
// session cache (kept in step with other replicas: see sessioncache) and
// without (every poll reads its session), from as many parallel clients
// as -cpu and from 64, beside the bare handler from as many:
//
//	go test ./internal/api -run '^$' -bench 'Baseline304|Poll304Postgres' -cpu 2
func BenchmarkPoll304Postgres(b *testing.B) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		b.Skip("needs AIRLOCK_TEST_POSTGRES_URL")
	}
	for _, par := range []int{1, 64} {
		name := ""
		if par > 1 {
			name = fmt.Sprintf("-%d-clients", par)
		}
		b.Run("uncached"+name, func(b *testing.B) { benchPoll304(b, store.Postgres, false, par) })
		b.Run("cached"+name, func(b *testing.B) { benchPoll304(b, store.Postgres, true, par) })
		b.Run("baseline"+name, func(b *testing.B) { baseline304(b, par) })
	}
}

// benchPoll304 polls 256 devices from parallel clients: par for each of
// GOMAXPROCS, or in all when par > 1.
func benchPoll304(b *testing.B, engine string, cache bool, par int) {
	s := apitest.Start(b, storetest.URL(b, engine))
	if !cache {
		s.DB.NoSessionCache()
	}
	pollers := make([]poller, 256)
	for i := range pollers {
		var d struct {
			UUID   string `json:"uuid"`
			APIKey string `json:"api_key"`
		}
		s.Must(201, "POST", "/api/v1/devices", map[string]any{"labels": map[string]string{"fleet": "bench"}}).JSON(b, &d)
		s.Must(200, "PUT", "/api/v1/devices/"+d.UUID+"/target-state",
			map[string]any{"apps": map[string]any{"cache": map[string]any{"image": "redis:7.5-alpine", "env": map[string]string{"A": "1"}}}, "force": true, "reason": "bench"})
		first := s.Do("GET", "/api/v1/devices/"+d.UUID+"/target-state", d.APIKey, nil)
		if first.Status != 200 {
			b.Fatalf("first poll: %d %s", first.Status, first.Body)
		}
		pollers[i] = poller{s.URL + "/api/v1/devices/" + d.UUID + "/target-state", d.APIKey, first.Header.Get("ETag")}
	}
	poll304(b, pollers, par)
}

func BenchmarkBaseline304(b *testing.B) { baseline304(b, 1) }

func baseline304(b *testing.B, par int) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"1"` && r.Header.Get("Authorization") != "" {
			w.Header().Set("ETag", `"1"`)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(hs.Close)
	poll304(b, []poller{{hs.URL + "/api/v1/devices/x/target-state", "dk_bench", `"1"`}}, par)
}

// poll304 sends conditional polls from parallel clients over kept-alive
// connections, each expecting 304: GOMAXPROCS clients, or par in all.
func poll304(b *testing.B, pollers []poller, par int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	b.Cleanup(client.CloseIdleConnections)
	var n atomic.Int64
	b.ReportAllocs()
	if par > 1 {
		b.SetParallelism(max(1, par/runtime.GOMAXPROCS(0)))
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := pollers[int(n.Add(1))%len(pollers)]
			req, _ := http.NewRequest("GET", p.url, nil)
			req.Header.Set("Authorization", "Bearer "+p.key)
			req.Header.Set("If-None-Match", p.etag)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
