package api

import (
	"sync"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Stream caps: each open stream holds a goroutine, buffers and a queue, so
// neither one token nor all together may open without bound.
const (
	maxStreamsPerToken = 16
	maxStreams         = 1000
)

// streamCount counts open event streams, per token and in total.
type streamCount struct {
	mu       sync.Mutex
	perToken map[int64]int
	total    int
	maxPer   int
	max      int
}

func newStreamCount() *streamCount {
	return &streamCount{perToken: map[int64]int{}, maxPer: maxStreamsPerToken, max: maxStreams}
}

// open counts a new stream of token, or refuses it with a 429 when a cap is reached.
func (c *streamCount) open(token int64) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.total >= c.max:
		return nil, airlock.Errorf(airlock.ERATELIMIT, "the server has %d event streams open, its most", c.max)
	case c.perToken[token] >= c.maxPer:
		return nil, airlock.Errorf(airlock.ERATELIMIT, "this token has %d event streams open, its most; close one", c.maxPer)
	}
	c.total++
	c.perToken[token]++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.total--
		if c.perToken[token]--; c.perToken[token] == 0 {
			delete(c.perToken, token)
		}
	}, nil
}
