package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// benchFleet is the fleet the rollout benchmarks run over (-short: a tenth).
func benchFleet() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// benchService provisions a fleet on a fresh SQLite database, every device
// running redis:7.4-alpine as app "cache". It writes a chunk of devices per
// transaction, as a store bounds how long one may take.
func benchService(b *testing.B, n int) *service.Service { return benchServiceOn(b, store.SQLite, n) }

// benchServiceOn is benchService on engine.
func benchServiceOn(b testing.TB, engine string, n int) *service.Service {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, storetest.URL(b, engine))
	svc := &service.Service{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := db.InTx(ctx, "bench", func(tx *store.Tx) error { // rollouts pass the gate: redis is approved
		_, err := catalog.CreateImage(ctx, tx, airlock.Image{Registry: "docker.io", Namespace: "library", ImageName: "redis",
			ApprovalStatus: airlock.StatusApproved, ApprovalScope: airlock.ApprovalScopeImage})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for from := 0; from < n; from += benchChunk {
		if err := db.InTx(ctx, "bench", func(tx *store.Tx) error {
			var changes []fleet.AppImage
			for i := from; i < min(from+benchChunk, n); i++ {
				uuid := fmt.Sprintf("dev-%06d", i)
				if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: uuid, Labels: map[string]string{}}, store.HashSecret(uuid)); err != nil {
					return err
				}
				changes = append(changes, fleet.AppImage{DeviceUUID: uuid, App: "cache", Image: "redis:7.4-alpine"})
			}
			return fleet.SetAppImages(ctx, tx, changes)
		}); err != nil {
			b.Fatal(err)
		}
	}
	if engine == store.Postgres { // as autovacuum would after an import: the planner reads by index
		if err := db.InTx(ctx, "bench", func(tx *store.Tx) error { _, err := tx.Exec(ctx, `ANALYZE`); return err }); err != nil {
			b.Fatal(err)
		}
	}
	return svc
}

const benchChunk = 10_000

func immediate(tag string) service.RolloutInput {
	strategy := "immediate"
	return service.RolloutInput{Image: "redis:" + tag, UpdateStrategy: &strategy}
}

// BenchmarkImmediateRollout plans and writes an immediate rollout over the
// whole fleet inside the request (the inline limit raised over the fleet):
// targets, batches, rollout_devices rows and every device's new
// target state, in one transaction. Each round rolls out a new tag (which
// supersedes the last round's rollout).
func BenchmarkImmediateRollout(b *testing.B) {
	n := benchFleet()
	svc := benchService(b, n)
	svc.Planning.InlineMax = n + 1 // the whole fleet in the request, as before planning
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		r, err := svc.CreateRollout(ctx, "bench", immediate(fmt.Sprintf("v%d", i)))
		if err != nil || r.TotalDevices != n || r.Counts["updating"] != n {
			b.Fatalf("rollout %+v: %v", r, err)
		}
	}
	b.ReportMetric(float64(n), "devices")
}

// BenchmarkMonitorTick measures one tick over a rollout whose every device
// is updating and has reported the new image running: the tick judges them
// all, records the verdicts and completes the rollout.
func BenchmarkMonitorTick(b *testing.B) {
	n := benchFleet()
	svc := benchService(b, n)
	svc.Planning.InlineMax = n + 1 // the whole fleet in the request, as before planning
	ctx := context.Background()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		tag := fmt.Sprintf("v%d", i)
		r, err := svc.CreateRollout(ctx, "bench", immediate(tag))
		if err != nil {
			b.Fatal(err)
		}
		reportAll(b, svc, n, "docker.io/library/redis:"+tag)
		b.StartTimer()
		if err := svc.MonitorTick(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got, _ := svc.Rollout(ctx, r.ID); got.Status != "completed" || got.Counts["succeeded"] != n {
			b.Fatalf("after the tick: %s, %v", got.Status, got.Counts)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "devices")
}

// BenchmarkMonitorTickWaiting measures the steady state between verdicts:
// every device updating, none has reported yet, nothing to write.
func BenchmarkMonitorTickWaiting(b *testing.B) {
	n := benchFleet()
	svc := benchService(b, n)
	ctx := context.Background()
	if _, err := svc.CreateRollout(ctx, "bench", immediate("v1")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := svc.MonitorTick(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "devices")
}

// reportAll stores a report from every device that it runs image, healthy.
func reportAll(b *testing.B, svc *service.Service, n int, image string) {
	b.Helper()
	ctx := context.Background()
	now := svc.DB.Now()
	for from := 0; from < n; from += benchChunk {
		if err := svc.DB.InTx(ctx, "bench", func(tx *store.Tx) error {
			for i := from; i < min(from+benchChunk, n); i++ {
				r := airlock.DeviceReport{Apps: map[string]airlock.AppReport{"cache": {Image: image, Status: "running", Healthy: true}}, ReportedAt: now}
				if err := fleet.SaveReport(ctx, tx, fmt.Sprintf("dev-%06d", i), r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
