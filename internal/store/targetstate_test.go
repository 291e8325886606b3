package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// seedDevices provisions n devices dev-00000… labelled with their parity,
// each told to run image in app "cache" (and the first nginx in "web").
// Large fleets go in several transactions, each well inside the store's bound.
func seedDevices(t testing.TB, db *store.DB, n int, image string) {
	t.Helper()
	ctx := context.Background()
	for from := 0; from < n; from += 2000 {
		err := db.InTx(ctx, "test", func(tx *store.Tx) error {
			var changes []fleet.AppImage
			for i := from; i < min(n, from+2000); i++ {
				uuid := fmt.Sprintf("dev-%05d", i)
				labels := map[string]string{"parity": []string{"even", "odd"}[i%2]}
				if _, err := fleet.CreateDevice(ctx, tx, airlock.Device{UUID: uuid, Labels: labels}, "hash-"+uuid); err != nil {
					return err
				}
				changes = append(changes, fleet.AppImage{DeviceUUID: uuid, App: "cache", Image: image})
			}
			return fleet.SetAppImages(ctx, tx, changes)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := db.InTx(ctx, "test", func(tx *store.Tx) error {
		_, err := fleet.SetTargetState(ctx, tx, "dev-00000", map[string]airlock.AppSpec{
			"cache": spec(`{"image": "docker.io/library/redis:0", "env": {"MODE": "lru"}}`),
			"web":   spec(`{"image": "docker.io/library/nginx:1.27"}`),
		})
		if err != nil {
			return err
		}
		return fleet.SetAppImages(ctx, tx, []fleet.AppImage{{DeviceUUID: "dev-00000", App: "cache", Image: image}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func spec(format string, args ...any) airlock.AppSpec {
	var s airlock.AppSpec
	if err := json.Unmarshal(fmt.Appendf(nil, format, args...), &s); err != nil {
		panic(err)
	}
	return s
}

func targetApps(t testing.TB, db *store.DB, repo string) []fleet.TargetApp {
	t.Helper()
	var apps []fleet.TargetApp
	err := db.InTx(context.Background(), "test", func(tx *store.Tx) error {
		var err error
		apps, err = fleet.TargetApps(context.Background(), tx, repo)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

func TestTargetApps(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		seedDevices(t, db, 3, "redis:7.5-alpine")
		redis := targetApps(t, db, "docker.io/library/redis")
		if len(redis) != 3 {
			t.Fatalf("redis apps: %+v", redis)
		}
		for i, a := range redis {
			if a.DeviceUUID != fmt.Sprintf("dev-%05d", i) || a.App != "cache" || a.Image != "docker.io/library/redis:7.5-alpine" ||
				a.Labels["parity"] != []string{"even", "odd"}[i%2] {
				t.Errorf("app %d: %+v", i, a)
			}
		}
		if nginx := targetApps(t, db, "docker.io/library/nginx"); len(nginx) != 1 || nginx[0].DeviceUUID != "dev-00000" || nginx[0].App != "web" {
			t.Fatalf("nginx apps: %+v", nginx)
		}
		if none := targetApps(t, db, "redis"); len(none) != 0 {
			t.Fatalf("un-normalised repository matched: %+v", none)
		}
	})
}

func TestSetAppImages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedDevices(t, db, 3, "redis:7.5-alpine")
		err := db.InTx(ctx, "rollout", func(tx *store.Tx) error {
			return fleet.SetAppImages(ctx, tx, []fleet.AppImage{
				{DeviceUUID: "dev-00000", App: "cache", Image: "redis:7.6-alpine"},
				{DeviceUUID: "dev-00000", App: "web", Image: "nginx:1.28"},
				{DeviceUUID: "dev-00001", App: "cache", Image: "redis:7.6-alpine"},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			version int64
			image   string
		}{
			"dev-00000": {4, "docker.io/library/redis:7.6-alpine"},
			"dev-00001": {2, "docker.io/library/redis:7.6-alpine"},
			"dev-00002": {1, "docker.io/library/redis:7.5-alpine"},
		}
		for uuid, w := range want {
			ts, err := fleet.TargetState(ctx, db, uuid)
			if err != nil {
				t.Fatal(err)
			}
			if ts.Version != w.version || ts.Apps["cache"].Image() != w.image || (uuid == "dev-00000") != (string(ts.Apps["cache"]["env"]) == `{"MODE":"lru"}`) {
				t.Errorf("%s: version %d, cache %s", uuid, ts.Version, ts.Apps["cache"])
			}
		}
		if ts, _ := fleet.TargetState(ctx, db, "dev-00000"); ts.Apps["web"].Image() != "docker.io/library/nginx:1.28" {
			t.Errorf("web app: %s", ts.Apps["web"])
		}
		images := map[string]string{}
		for _, a := range targetApps(t, db, "docker.io/library/redis") {
			images[a.DeviceUUID] = a.Image
		}
		for uuid, w := range want {
			if images[uuid] != w.image {
				t.Errorf("index of %s: %s, want %s", uuid, images[uuid], w.image)
			}
		}
		var events int
		db.QueryInt(ctx, &events, `SELECT COUNT(*) FROM events WHERE actor = 'rollout'`)
		if events != 0 {
			t.Errorf("SetAppImages wrote %d events", events)
		}
	})
}

func TestSetAppImagesAllOrNothing(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedDevices(t, db, 2, "redis:7.5-alpine")
		for _, c := range []struct {
			change fleet.AppImage
			code   string
		}{
			{fleet.AppImage{DeviceUUID: "ghost", App: "cache", Image: "redis:7.6"}, airlock.ENOTFOUND},
			{fleet.AppImage{DeviceUUID: "dev-00001", App: "cache", Image: "Not A Ref"}, airlock.EINVALID},
		} {
			err := db.InTx(ctx, "rollout", func(tx *store.Tx) error {
				return fleet.SetAppImages(ctx, tx, []fleet.AppImage{{DeviceUUID: "dev-00000", App: "cache", Image: "redis:7.6"}, c.change})
			})
			if airlock.ErrorCode(err) != c.code {
				t.Fatalf("%+v: %v, want %s", c.change, err, c.code)
			}
		}
		if ts, _ := fleet.TargetState(ctx, db, "dev-00000"); ts.Version != 3 {
			t.Fatalf("half-written: %+v", ts)
		}
	})
}

// A fleet-wide change is a few multi-row statements, not a round trip per
// device. BenchmarkSetAppImages measures the 100,000-device case.
func TestSetAppImagesFleet(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		const n = 1200
		seedDevices(t, db, n, "redis:7.5-alpine")
		start := time.Now()
		setFleet(t, db, n, "redis:7.6-alpine")
		t.Logf("%d devices in %v", n, time.Since(start))
		var moved int
		db.QueryInt(context.Background(), &moved, `SELECT COUNT(*) FROM device_target_apps WHERE image = 'docker.io/library/redis:7.6-alpine'`)
		if moved != n {
			t.Fatalf("%d of %d moved", moved, n)
		}
	})
}

func setFleet(t testing.TB, db *store.DB, n int, image string) {
	t.Helper()
	changes := make([]fleet.AppImage, n)
	for i := range changes {
		changes[i] = fleet.AppImage{DeviceUUID: fmt.Sprintf("dev-%05d", i), App: "cache", Image: image}
	}
	ctx := context.Background()
	if err := db.InTx(ctx, "rollout", func(tx *store.Tx) error { return fleet.SetAppImages(ctx, tx, changes) }); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSetAppImages(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			const n = 100_000
			db := storetest.Open(b, storetest.URL(b, engine))
			seedDevices(b, db, n, "redis:7.5-alpine")
			images := []string{"redis:7.6-alpine", "redis:7.5-alpine"}
			b.ResetTimer()
			for i := range b.N {
				setFleet(b, db, n, images[i%2])
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/100k-devices")
		})
	}
}
