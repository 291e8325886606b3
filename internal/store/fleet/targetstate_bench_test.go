package fleet_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// BenchmarkSetAppImages gives 20,000 devices a new image, 5,000 a
// transaction as a rollout's planner does: µs/device is the store's share
// of writing a fleet's target states.
func BenchmarkSetAppImages(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) { benchSetAppImages(b, engine) })
	}
}

func benchSetAppImages(b *testing.B, engine string) {
	const n, chunk = 20_000, 5_000
	if engine == store.Postgres && os.Getenv("AIRLOCK_TEST_POSTGRES_URL") == "" {
		b.Skip("AIRLOCK_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	db := storetest.Open(b, storetest.URL(b, engine))
	ds := make([]fleet.NewDevice, n)
	for i := range ds {
		ds[i] = fleet.NewDevice{Device: airlock.Device{UUID: fmt.Sprintf("dev-%06d", i), Labels: map[string]string{}},
			KeyHash: fmt.Sprintf("h%d", i), Apps: map[string]airlock.AppSpec{"cache": airlock.AppSpec{}.WithImage("docker.io/library/redis:7")}}
	}
	for lo := 0; lo < n; lo += chunk {
		if err := db.InTx(ctx, "bench", func(tx *store.Tx) error {
			_, err := fleet.ImportDevices(ctx, tx, ds[lo:lo+chunk])
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	round := 0
	for b.Loop() {
		round++
		for lo := 0; lo < n; lo += chunk {
			changes := make([]fleet.AppImage, chunk)
			for i := range changes {
				changes[i] = fleet.AppImage{DeviceUUID: ds[lo+i].Device.UUID, App: "cache", Image: fmt.Sprintf("docker.io/library/redis:8.%d", round)}
			}
			if err := db.InTx(ctx, "bench", func(tx *store.Tx) error { return fleet.SetAppImages(ctx, tx, changes) }); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(round*n), "µs/device")
}
