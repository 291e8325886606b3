package rollouts

import "log/slog"

// Engine runs the rollout steps; it holds nothing but where to log.
type Engine struct{ Log *slog.Logger }
