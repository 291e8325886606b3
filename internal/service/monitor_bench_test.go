package service_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// BenchmarkMonitorQuiet measures a monitor tick over a rollout whose every
// device is updating and has reported the target starting (no verdict for
// a day): with nothing new, and with 1% of the fleet reporting again
// before each tick. "full" is the tick before issue 20, which steps every
// rollout; "due" is the monitor's, which steps only a rollout something
// may have changed. AIRLOCK_BENCH_DEVICES sets the fleet (default 100k,
// -short 10k); both engines when AIRLOCK_TEST_POSTGRES_URL is set.
func BenchmarkMonitorQuiet(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			q := newQuietFleet(b, engine)
			for _, share := range []int{0, 100} {
				for _, how := range []string{"full", "due"} {
					b.Run(fmt.Sprintf("new=%d/%s", q.n*share/10_000, how), func(b *testing.B) { q.run(b, share, how) })
				}
			}
		})
	}
}

// quietFleet is a fleet on a fake clock with one rollout in flight.
type quietFleet struct {
	svc  *service.Service
	n    int
	mu   sync.Mutex
	now  time.Time
	next int // the next device to report
}

func newQuietFleet(b *testing.B, engine string) *quietFleet {
	n := benchFleet()
	if s := os.Getenv("AIRLOCK_BENCH_DEVICES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	q := &quietFleet{n: n, now: time.Now().UTC()}
	q.svc = benchServiceOn(b, engine, n)
	q.svc.DB.SetClock(func() time.Time { q.mu.Lock(); defer q.mu.Unlock(); return q.now })
	in, day := immediate("v1"), 86_400
	in.HealthCheckTimeoutSeconds = &day
	if _, err := q.svc.CreateRollout(context.Background(), "bench", in); err != nil {
		b.Fatal(err)
	}
	q.report(b, n)
	for range 2 { // the second, past the report slack, judges the reports once more
		if err := q.svc.MonitorTick(context.Background()); err != nil {
			b.Fatal(err)
		}
		q.mu.Lock()
		q.now = q.now.Add(2 * time.Minute)
		q.mu.Unlock()
	}
	return q
}

// run ticks the monitor, share/10000 of the fleet reporting before each.
func (q *quietFleet) run(b *testing.B, share int, how string) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		q.mu.Lock()
		q.now = q.now.Add(time.Minute)
		q.mu.Unlock()
		q.report(b, q.n*share/10_000)
		b.StartTimer()
		tick := q.svc.MonitorTick
		if how == "full" {
			tick = q.fullTick
		}
		if err := tick(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(q.n), "devices")
}

// fullTick is the tick before issue 20: every active rollout stepped.
func (q *quietFleet) fullTick(ctx context.Context) error {
	ids, err := rolloutdb.ActiveRollouts(ctx, q.svc.DB)
	for _, id := range ids {
		err = q.svc.DB.InTx(ctx, "monitor", func(tx *store.Tx) error {
			r, err := rolloutdb.RolloutForUpdate(ctx, tx, id)
			if err != nil {
				return err
			}
			return rollouts.Engine{Log: q.svc.Log}.Step(ctx, tx, r)
		})
	}
	return err
}

// report stores k reports of the target starting, from the next devices in turn.
func (q *quietFleet) report(b *testing.B, k int) {
	ctx := context.Background()
	app := map[string]airlock.AppReport{"cache": {Image: "docker.io/library/redis:v1", Status: "running", Health: "starting"}}
	for k > 0 {
		chunk := min(k, benchChunk)
		err := q.svc.DB.InTx(ctx, "bench", func(tx *store.Tx) error {
			for range chunk {
				uuid := fmt.Sprintf("dev-%06d", q.next%q.n)
				q.next++
				if err := fleet.SaveReport(ctx, tx, uuid, airlock.DeviceReport{Apps: app, ReportedAt: tx.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		k -= chunk
	}
}
