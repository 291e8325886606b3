// Package rollout is the pure logic of rollouts: batch planning, the rollout
// state machine, the judgement of devices from their reports, and the
// timing rules (bake, health grace, retries, deferral, rate, maintenance
// windows through package window, poll pacing). The clock is always passed
// in, so every decision can be replayed in a test.
//
// # Calling the monitor
//
// Each tick, for each rollout in progress, paused or waiting for a window,
// the caller loads a State (the rollout's status, batch and policy knobs,
// with the policy's windows read live so edits apply to running rollouts)
// and every Device with its latest Report, and calls Advance(state,
// devices, now). In one transaction it then stores:
//
//   - each Change in Progress.Changes: the device's Status and its Track;
//   - for each of Progress.Failed, an image.rollout_device_failed event
//     with Track.Reason, Track.Message and Track.ExitCode;
//   - for a Change with Retry, the target again (the agent restarts it);
//   - BatchDoneAt = now when BatchDone; CurrentBatch+1 when NextBatch;
//   - each of Progress.Start: status updating, its Track, and the target
//     state sent to the device;
//   - Progress.Action through Transition (wait: nothing), showing
//     NextOpening while waiting for a window; after cancel, supersede or
//     fail, the Changes of Settle.
//
// # Per-device state to persist
//
// Tracking, beside the device's status: Attempt, StartedAt, ClockFrom,
// LastReportAt, RunningSince, HealthySince, DeferredSince, Restarts, and
// the evidence Message, ExitCode and Reason, which later transitions
// (rolled_back, cancelled) must keep. A zero Tracking is read as a first
// attempt begun at Device.UpdatedAt, so rows written before it existed
// still work. Report fields come from the device's latest report;
// CheckReport validates one as it arrives.
package rollout
