package rollouts

import (
	"log/slog"
	"time"
)

// Engine runs the rollout steps. It holds where to log and, for a manual
// rollout being created, the span it may start devices in.
type Engine struct {
	Log            *slog.Logger
	StartAt, EndAt *time.Time // a manual rollout's start_at and end_at; nil for none
	// DeviceRef is what Create sends devices instead of its ref: a
	// mirror's copy with the same digest; "" sends ref.
	DeviceRef string
	Plan      PlanSettings // when Create plans in the request, and the planner's chunk
}
