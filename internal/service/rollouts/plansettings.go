package rollouts

// Defaults of PlanSettings.
const (
	DefaultInlineMax = 1000
	DefaultChunk     = 5000
)

// PlanSettings bound the work a rollout's planning does per transaction.
// A rollout whose repository has at most InlineMax target apps is planned
// and started inside the request that creates it, as it always was; a
// larger one is recorded as planning and a Planner plans it Chunk target
// apps per transaction, off the request path. Zero means the default.
type PlanSettings struct {
	InlineMax, Chunk int
}

func (s PlanSettings) inlineMax() int {
	if s.InlineMax > 0 {
		return s.InlineMax
	}
	return DefaultInlineMax
}

func (s PlanSettings) chunk() int {
	if s.Chunk > 0 {
		return s.Chunk
	}
	return DefaultChunk
}
