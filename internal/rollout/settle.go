package rollout

import "fmt"

// Settle ends the devices of a rollout that stopped with status (cancelled,
// superseded, failed or rolled back), so that none is left waiting: a
// device told to update becomes cancelled, one never told becomes skipped,
// each with the reason. Its tracking, and with it the evidence, is kept.
// Devices already judged are left as they are, and so are those a rollback
// restored (the caller settles after restoring). Other statuses settle
// nothing: a completed rollout has no device left.
func Settle(status string, devices []Device) []Change {
	why, ok := settleWhy[status]
	if !ok {
		return nil
	}
	var out []Change
	for _, d := range devices {
		t := d.Track.normalised(d)
		switch {
		case d.Status == DevicePending:
			t.Reason = fmt.Sprintf("not updated: %s before its batch", why)
			out = append(out, Change{UUID: d.UUID, Status: DeviceSkipped, Track: t})
		case inFlight(d.Status):
			t.Reason = fmt.Sprintf("%s while the device was %s", why, d.Status)
			out = append(out, Change{UUID: d.UUID, Status: DeviceCancelled, Track: t})
		}
	}
	return out
}

// settleWhy says why each status Settle settles devices of leaves them.
var settleWhy = map[string]string{
	StatusCancelled:  "the rollout was cancelled",
	StatusSuperseded: "a newer rollout superseded this one",
	StatusFailed:     "the rollout stopped on failures",
	StatusRolledBack: "the rollout was rolled back",
}

// Settles reports whether Settle may change devices of a rollout in
// status, so that a caller need not read them otherwise.
func Settles(status string) bool {
	_, ok := settleWhy[status]
	return ok
}

// Batch statuses, for a rollout's batch list.
const (
	BatchPending = "pending" // not begun yet
	BatchRunning = "running"
	BatchDone    = "done"
	BatchStopped = "stopped" // began, then the rollout ended before it finished
	BatchSkipped = "skipped" // never began: the rollout ended first
)

// BatchStatus is the status of batch (numbered from 1) in a rollout with
// status whose current batch is current; currentDone says the current
// batch finished (BatchDoneAt set).
func BatchStatus(batch int, status string, current int, currentDone bool) string {
	switch {
	case batch < current || (batch == current && currentDone):
		return BatchDone
	case batch == current && !Terminal(status):
		return BatchRunning
	case batch == current:
		return BatchStopped
	case Terminal(status):
		return BatchSkipped
	}
	return BatchPending
}

// JoinBatch returns the batch a device that turns up during a rollout
// joins: the last one, so it waits for the same evidence as the rest of
// the fleet and is started by Advance when that batch runs. ok is false
// when it does not join: include is off (policy include_new_devices), or
// the rollout has ended. A rollout with no batch yet gets its first; the
// caller sets TotalBatches to the batch returned when it grows.
func JoinBatch(status string, totalBatches int, include bool) (batch int, ok bool) {
	if !include || Terminal(status) || status == StatusPlanning {
		return 0, false
	}
	return max(totalBatches, 1), true
}
