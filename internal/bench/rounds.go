package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// alternate runs each of runs in turn, a round being one run of each, and
// returns each one's measures by round: out[j][round]. The first is the
// baseline when there is one: baseline, subject, baseline, subject…
func alternate(e *env, name string, rounds int, runs ...func() (float64, error)) ([][]float64, error) {
	out := make([][]float64, len(runs))
	for r := range rounds {
		for j, run := range runs {
			v, err := run()
			if err != nil {
				return nil, err
			}
			out[j] = append(out[j], v)
		}
		e.logf("  %s: round %d of %d", name, r+1, rounds)
	}
	return out, nil
}

// rate is a load run's throughput; a request answered otherwise than
// want fails it, as the figure would then measure something else.
func (e *env) rate(ctx context.Context, workers int, d time.Duration, want int, next func() *http.Request) (float64, error) {
	s := load(ctx, e.client, workers, d, want, func(int) (*http.Request, error) { return next(), nil })
	if s.Errors > 0 {
		return 0, fmt.Errorf("%d of %d requests not answered %d", s.Errors, s.Requests, want)
	}
	return s.Throughput, nil
}
