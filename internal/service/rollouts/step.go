package rollouts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// Apply writes a monitor step: the verdicts, the end of the current batch,
// and the rollout's next move.
func (e Engine) Apply(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, step rollout.Step) error {
	if err := recordVerdicts(ctx, tx, r, devices, step.Verdicts); err != nil {
		return err
	}
	if step.BatchDone {
		if err := e.batchDone(ctx, tx, r, devices, step.Verdicts); err != nil {
			return err
		}
	}
	var err error
	switch step.Action {
	case rollout.ActionNextBatch:
		_, err = e.NextBatch(ctx, tx, r)
	case rollout.ActionComplete:
		_, err = e.Finish(ctx, tx, r, rollout.ActionComplete, "")
	case rollout.ActionRollback, rollout.ActionFail:
		_, err = e.Finish(ctx, tx, r, step.Action, thresholdReason(r, devices, step.Verdicts))
	}
	return err
}

// recordVerdicts writes the step's verdicts: as one update when every
// updating device got the same one, else device by device.
func recordVerdicts(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, judged map[string]string) error {
	vs := verdicts(r, devices, judged)
	if len(vs) == 0 {
		return nil
	}
	updating := 0
	for _, d := range devices {
		if d.Status == rollout.DeviceUpdating {
			updating++
		}
	}
	alike := len(vs) == updating
	for _, v := range vs {
		alike = alike && v.Status == vs[0].Status && v.Error == vs[0].Error
	}
	if alike {
		return rolloutdb.JudgeAllUpdating(ctx, tx, r.ID, vs[0].Status, vs[0].Error)
	}
	return rolloutdb.SetVerdicts(ctx, tx, r.ID, vs)
}

// verdicts lists the step's verdicts in device order, each with the error a
// client reads in the device list.
func verdicts(r airlock.Rollout, devices []rollout.Device, judged map[string]string) []rolloutdb.Verdict {
	if len(judged) == 0 {
		return nil
	}
	out := make([]rolloutdb.Verdict, 0, len(judged))
	for _, d := range devices {
		v, ok := judged[d.UUID]
		if !ok {
			continue
		}
		uuid, app, _ := strings.Cut(d.UUID, "\x00")
		out = append(out, rolloutdb.Verdict{DeviceUUID: uuid, App: app, Status: v, Error: verdictError(v, d.Report, r.HealthCheckTimeoutSeconds)})
	}
	return out
}

func verdictError(verdict string, rep rollout.Report, timeout int) string {
	switch {
	case verdict == rollout.DeviceTimedOut:
		return fmt.Sprintf("no report of the target image running and healthy within %s", time.Duration(timeout)*time.Second)
	case verdict != rollout.DeviceFailed:
		return ""
	case rep.Healthy != nil && !*rep.Healthy:
		return fmt.Sprintf("reported unhealthy (status %q)", rep.Status)
	}
	return fmt.Sprintf("reported status %q", rep.Status)
}

// batchDone records that the current batch has no device updating any more.
func (e Engine) batchDone(ctx context.Context, tx *store.Tx, r airlock.Rollout, devices []rollout.Device, judged map[string]string) error {
	marked, err := rolloutdb.MarkBatchDone(ctx, tx, r.ID, r.CurrentBatch)
	if err != nil || !marked {
		return err
	}
	counts := map[string]int{}
	for _, d := range devices {
		if d.Batch == r.CurrentBatch {
			counts[statusAfter(d, judged)]++
		}
	}
	e.Log.InfoContext(ctx, "rollout batch completed", "rollout_id", r.ID, "batch", r.CurrentBatch, "of", r.TotalBatches)
	return Event(ctx, tx, "image.rollout_batch_completed", r, map[string]any{"batch": r.CurrentBatch, "counts": counts})
}

// thresholdReason says why failures stopped a rollout.
func thresholdReason(r airlock.Rollout, devices []rollout.Device, judged map[string]string) string {
	var failed, total int
	for _, d := range devices {
		switch statusAfter(d, judged) {
		case rollout.DeviceFailed, rollout.DeviceTimedOut:
			failed++
			total++
		case rollout.DeviceSucceeded:
			total++
		}
	}
	return fmt.Sprintf("%d of %d judged devices failed or timed out, reaching the failure threshold of %d%%",
		failed, total, r.FailureThresholdPercent)
}

func statusAfter(d rollout.Device, judged map[string]string) string {
	if v, ok := judged[d.UUID]; ok {
		return v
	}
	return d.Status
}
