package service_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// BenchmarkPlannedRollout creates an immediate rollout over the whole
// fleet as a push over a large fleet does: the request records it planning
// (answer-ms), then the planner plans it in chunks and writes every
// device's target state (planned-ms, from the request's start). peak-heap-MB
// is the heap in use at its highest while planning, sampled every 5 ms,
// over what was in use before: bounded by the chunk, not the fleet.
func BenchmarkPlannedRollout(b *testing.B) { benchPlanned(b, store.SQLite) }

// BenchmarkPlannedRolloutPostgres is BenchmarkPlannedRollout on PostgreSQL.
func BenchmarkPlannedRolloutPostgres(b *testing.B) {
	if os.Getenv("AIRLOCK_TEST_POSTGRES_URL") == "" {
		b.Skip("AIRLOCK_TEST_POSTGRES_URL not set")
	}
	benchPlanned(b, store.Postgres)
}

func benchPlanned(b *testing.B, engine string) {
	n := benchFleet()
	svc := benchServiceOn(b, engine, n)
	ctx := context.Background()
	var answer, planned time.Duration
	var peak uint64
	i := 0
	for b.Loop() {
		i++
		runtime.GC()
		stop, _ := heapPeak()
		start := time.Now()
		r, err := svc.CreateRollout(ctx, "bench", immediate(fmt.Sprintf("v%d", i)))
		if err != nil || r.Status != "planning" {
			b.Fatalf("round %d: rollout %d %s: %v", i, r.ID, r.Status, err)
		}
		answer += time.Since(start)
		if err := svc.PlanRollouts(ctx); err != nil {
			b.Fatal(err)
		}
		planned += time.Since(start)
		peak = max(peak, stop())
		if r, err = svc.Rollout(ctx, r.ID); err != nil || r.Status != "in_progress" || r.Counts["updating"] != n {
			b.Fatalf("planned %+v: %v", r, err)
		}
	}
	b.ReportMetric(float64(n), "devices")
	b.ReportMetric(float64(answer.Milliseconds())/float64(i), "answer-ms")
	b.ReportMetric(float64(planned.Milliseconds())/float64(i), "planned-ms")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// heapPeak samples the heap in use until stop, which returns its highest
// value over the value at the start.
func heapPeak() (stop func() uint64, base uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base = ms.HeapInuse
	var top atomic.Uint64
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > top.Load() {
				top.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-ended
		return top.Load() - min(top.Load(), base)
	}, base
}

// BenchmarkPlannedPush pushes a new tag through the webhook intake, with an
// immediate policy for the repository over the whole fleet: answer-ms is
// the delivery's answer, the release path included; planned-ms is until
// the planner has written every target state.
func BenchmarkPlannedPush(b *testing.B) {
	n := benchFleet()
	svc := benchServiceOn(b, store.SQLite, n)
	svc.ReleaseSettings = service.ReleaseSettings{}
	ctx := context.Background()
	pattern, strategy := "redis:*", "immediate"
	if _, err := svc.CreatePolicy(ctx, "bench", service.PolicyInput{ImagePattern: &pattern, UpdateStrategy: &strategy}); err != nil {
		b.Fatal(err)
	}
	var answer, planned time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		ans, err := svc.Intake(ctx, webhook.Sender{}, service.Delivery{Source: "docker-registry",
			Body: fmt.Appendf(nil, `{"image": "docker.io/library/redis:8.%d-alpine"}`, i)})
		if err != nil || !strings.Contains(string(ans.Body), `"planning"`) {
			b.Fatalf("push: %s %v", ans.Body, err)
		}
		answer += time.Since(start)
		if err := svc.PlanRollouts(ctx); err != nil {
			b.Fatal(err)
		}
		planned += time.Since(start)
	}
	b.ReportMetric(float64(n), "devices")
	b.ReportMetric(float64(answer.Milliseconds())/float64(i), "answer-ms")
	b.ReportMetric(float64(planned.Milliseconds())/float64(i), "planned-ms")
}
