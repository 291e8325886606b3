package rollout

import (
	"time"

	"github.com/airlock-iot/airlock/internal/window"
)

// ActionWait is Advance's action when the rollout itself does not move;
// its other actions are Transition's own.
const ActionWait = "wait"

// State is what the monitor needs of one rollout. Batches are numbered from
// 1; CurrentBatch 0 means none has started yet.
type State struct {
	Status                     string
	CurrentBatch, TotalBatches int
	BatchDoneAt                time.Time // when the current batch finished; zero while it runs
	BatchDelay, Timeout        time.Duration
	ThresholdPercent           int
	MinDevices                 int
	AutoRollback               bool

	// Read by Advance only; every zero value means the feature is off.
	HealthGrace    time.Duration   // how long a running target may be unhealthy; Timeout when zero
	Bake           time.Duration   // how long a device must stay healthy to succeed
	DeferTimeout   time.Duration   // how long a device may defer the update; Timeout when zero
	MaxRetries     int             // further attempts before a failure or timeout counts
	RetryBackoff   time.Duration   // the first retry's delay, doubling; DefaultRetryBackoff when zero
	Canary         bool            // batch 1 is a canary, judged on its own
	Rate           Rate            // how fast devices start
	Windows        []window.Window // devices start only inside one (none: any time)
	StartAt, EndAt time.Time       // a manual rollout's span; zero for none
}

// Device is one device of a rollout. For an updating device UpdatedAt is
// when it was told to update: its health timeout runs from there.
type Device struct {
	UUID      string
	Batch     int
	Status    string
	Target    string
	UpdatedAt time.Time
	Report    Report

	TargetDigest string   // when set, a report naming another digest is not of the target (Advance)
	Track        Tracking // what Advance remembers between ticks; the caller stores it as returned
}
