package rollouts

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// StateOf is what rollout.Advance needs of a stored rollout; windows are
// its policy's as they are now, so that editing them applies at once.
func StateOf(r airlock.Rollout, windows []airlock.MaintenanceWindow) rollout.State {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	st := rollout.State{Status: r.Status, CurrentBatch: r.CurrentBatch, TotalBatches: r.TotalBatches,
		BatchDelay: sec(r.BatchDelaySeconds), Timeout: sec(r.HealthCheckTimeoutSeconds),
		ThresholdPercent: r.FailureThresholdPercent, MinDevices: r.MinDevicesForThreshold, AutoRollback: r.AutoRollback,
		HealthGrace: sec(r.HealthGraceSeconds), Bake: sec(r.BakeSeconds), DeferTimeout: sec(r.DeferTimeoutSeconds),
		MaxRetries: r.MaxRetries, RetryBackoff: sec(r.RetryBackoffSeconds), Rate: policy.Rate(r.Timing),
		Canary: r.UpdateStrategy == rollout.Canary && r.CanarySize > 0, Windows: policy.Windows(windows)}
	for _, t := range []struct {
		dst *time.Time
		src *time.Time
	}{{&st.BatchDoneAt, r.BatchDoneAt}, {&st.StartAt, r.StartAt}, {&st.EndAt, r.EndAt}} {
		if t.src != nil {
			*t.dst = *t.src
		}
	}
	return st
}

// appReport is the part of a stored device report the monitor reads.
type appReport struct {
	Image        string `json:"image"`
	Status       string `json:"status"`
	Healthy      *bool  `json:"healthy"`
	Health       string `json:"health"`
	Message      string `json:"message"`
	ExitCode     *int   `json:"exit_code"`
	RestartCount int    `json:"restart_count"`
	Digest       string `json:"digest"`
}

// Watch reads the devices of rollout r as rollout.Advance judges them. A
// device is keyed by uuid and app, as it may run the repository in several
// apps. Its report is JSON, and decoding a fleet's is most of a tick's own
// work, so rows are decoded a chunk at a time while the next are read.
func Watch(ctx context.Context, tx *store.Tx, r airlock.Rollout) ([]rollout.Device, error) {
	var parts []*[]rollout.Device
	var wg sync.WaitGroup
	chunk := make([]rolloutdb.WatchedDevice, 0, watchChunk)
	flush := func() {
		part, rows := new([]rollout.Device), chunk
		parts = append(parts, part)
		wg.Go(func() { *part = readReports(r.Image, rows) })
		chunk = make([]rolloutdb.WatchedDevice, 0, watchChunk)
	}
	err := rolloutdb.WatchDevices(ctx, tx, r.ID, func(w rolloutdb.WatchedDevice) {
		if chunk = append(chunk, w); len(chunk) == watchChunk {
			flush()
		}
	})
	flush()
	wg.Wait()
	devices := make([]rollout.Device, 0, len(parts)*watchChunk)
	for _, p := range parts {
		devices = append(devices, *p...)
	}
	return devices, err
}

// watchChunk is how many devices a goroutine decodes at a time.
const watchChunk = 4096

// readReports returns the devices of watched. Reported images are normalised
// (a device may say "redis:7" for docker.io/library/redis:7), each distinct
// one once; a report that does not name target at all cannot be about it,
// and is not decoded.
func readReports(target string, watched []rolloutdb.WatchedDevice) []rollout.Device {
	devices := make([]rollout.Device, len(watched))
	normal := map[string]string{}
	name := []byte(target[strings.LastIndexByte(target, '/')+1:])
	for i, w := range watched {
		d := rollout.Device{UUID: deviceKey(w.DeviceUUID, w.App), Batch: w.Batch, Status: w.Status,
			Target: target, UpdatedAt: w.UpdatedAt, Track: w.Track}
		if len(w.Report) > 0 && bytes.Contains(w.Report, name) {
			var doc struct {
				Apps map[string]appReport `json:"apps"`
			}
			if json.Unmarshal(w.Report, &doc) == nil {
				if app, ok := doc.Apps[w.App]; ok {
					d.Report = rollout.Report{Image: normalised(normal, app.Image), Status: app.Status,
						Healthy: app.Healthy, ReportedAt: w.ReportedAt, Digest: app.Digest, Health: app.Health, Message: app.Message,
						ExitCode: app.ExitCode, RestartCount: app.RestartCount}
				}
			}
		}
		devices[i] = d
	}
	return devices
}

func deviceKey(uuid, app string) string { return uuid + "\x00" + app }

// batchOf maps each device's key to its batch.
func batchOf(devices []rollout.Device) map[string]int {
	out := make(map[string]int, len(devices))
	for _, d := range devices {
		out[d.UUID] = d.Batch
	}
	return out
}

// splitKey returns the uuid and app of a device key.
func splitKey(key string) (uuid, app string) {
	uuid, app, _ = strings.Cut(key, "\x00")
	return uuid, app
}

func normalised(cache map[string]string, image string) string {
	if n, ok := cache[image]; ok {
		return n
	}
	n := image
	if ref, err := imageref.Parse(image); err == nil {
		n = ref.String()
	}
	cache[image] = n
	return n
}
