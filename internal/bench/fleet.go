package bench

import (
	"context"
	"encoding/json"
	"fmt"

	storefleet "github.com/airlock-iot/airlock/internal/store/fleet"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

// fleet is a set of provisioned devices whose keys the bench knows.
type fleet struct {
	prefix string
	uuids  []string
	keys   []string
}

// seed provisions n devices running app "web" on image, in chunks of one
// transaction each: provisioning is not what is measured.
func (e *env) seed(ctx context.Context, prefix string, n int, image string) (fleet, error) {
	f := fleet{prefix: prefix, uuids: make([]string, n), keys: make([]string, n)}
	raw, _ := json.Marshal(image)
	apps := map[string]airlock.AppSpec{"web": {"image": raw}}
	const chunk = 5000
	for from := 0; from < n; from += chunk {
		err := e.db.InTx(ctx, "bench", func(tx *store.Tx) error {
			for i := from; i < min(n, from+chunk); i++ {
				f.uuids[i] = fmt.Sprintf("%s-%06d", prefix, i)
				f.keys[i] = fmt.Sprintf("dk_bench-%s-%06d-key", prefix, i)
				d := airlock.Device{UUID: f.uuids[i], Labels: map[string]string{"fleet": prefix}}
				if _, err := storefleet.CreateDevice(ctx, tx, d, store.HashSecret(f.keys[i])); err != nil {
					return err
				}
				if _, err := storefleet.SetTargetState(ctx, tx, f.uuids[i], apps); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return f, fmt.Errorf("seed %s: %w", prefix, err)
		}
	}
	e.devices += n
	return f, nil
}

// reportAll stores, for every device, a report of app "web" running image
// healthily, as devices would after pulling it.
func (e *env) reportAll(ctx context.Context, f fleet, image string) error {
	const chunk = 5000
	for from := 0; from < len(f.uuids); from += chunk {
		err := e.db.InTx(ctx, "bench", func(tx *store.Tx) error {
			for _, uuid := range f.uuids[from:min(len(f.uuids), from+chunk)] {
				r := airlock.DeviceReport{Apps: map[string]airlock.AppReport{"web": {Image: image, Status: "running", Healthy: true}},
					ReportedAt: e.db.Now()}
				if err := storefleet.SaveReport(ctx, tx, uuid, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
