package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// BenchmarkPoll304Churn polls 100,000 devices (304s, on SQLite, whose
// session cache answers them) while nothing changes, and while 10 other
// devices' target states change a second, as a rollout does; rounds
// alternate in one run. Issue 20's target: the second at 0.9x the first or
// better.
//
//	go test ./internal/api -run '^$' -bench Poll304Churn -benchtime 5s
func BenchmarkPoll304Churn(b *testing.B) { benchPollChurn(b, store.SQLite) }

// BenchmarkPoll304ChurnPostgres is the same on PostgreSQL, whose session
// cache hears of writes by notification.
func BenchmarkPoll304ChurnPostgres(b *testing.B) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		b.Skip("needs AIRLOCK_TEST_POSTGRES_URL")
	}
	benchPollChurn(b, store.Postgres)
}

func benchPollChurn(b *testing.B, engine string) {
	const fleet = 100_000
	s := apitest.Start(b, storetest.URL(b, engine))
	var next atomic.Int64
	var keys []importAnswer
	for range fleet / 20_000 {
		keys = append(keys, importKeys(b, s, importBody(20_000, &next))...)
	}
	churn := importKeys(b, s, importBody(100, &next))
	pollers := firstPolls(b, s, keys)
	for range 3 {
		b.Run("quiet", func(b *testing.B) { poll304(b, pollers, 1) })
		b.Run("10-writes-a-second", func(b *testing.B) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() { writeTargets(b, s, churn, stop) })
			poll304(b, pollers, 1)
			close(stop)
			wg.Wait()
		})
	}
}

func importKeys(b *testing.B, s *apitest.Server, body string) []importAnswer {
	r := s.Admin("POST", "/api/v1/devices/import", body)
	var out []importAnswer
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		var a importAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.APIKey == "" {
			b.Fatalf("import answer %q: %v", sc.Text(), err)
		}
		out = append(out, a)
	}
	return out
}

// firstPolls polls each device once, 16 at a time, for its ETag.
func firstPolls(b *testing.B, s *apitest.Server, devices []importAnswer) []poller {
	out := make([]poller, len(devices))
	var wg sync.WaitGroup
	var i atomic.Int64
	for range 16 {
		wg.Go(func() {
			for n := int(i.Add(1)) - 1; n < len(devices); n = int(i.Add(1)) - 1 {
				d := devices[n]
				url := s.URL + "/api/v1/devices/" + d.UUID + "/target-state"
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+d.APIKey)
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != 200 {
					b.Errorf("first poll of %s: %v", d.UUID, err)
					return
				}
				resp.Body.Close()
				out[n] = poller{url, d.APIKey, resp.Header.Get("ETag")}
			}
		})
	}
	wg.Wait()
	return out
}

// writeTargets changes one of devices' target state every 100 ms until stop.
func writeTargets(b *testing.B, s *apitest.Server, devices []importAnswer, stop <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		d := devices[n%len(devices)]
		body := fmt.Sprintf(`{"apps": {"agent": {"image": "iotistic/agent:v%d"}}}`, n)
		if r := s.Admin("PUT", "/api/v1/devices/"+d.UUID+"/target-state", body); r.Status != 200 {
			b.Errorf("write: %d %s", r.Status, r.Body)
			return
		}
	}
}
