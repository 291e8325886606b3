package httpx

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

// StreamCount counts open event streams, per token and in total.
type StreamCount struct {
	mu       sync.Mutex
	perToken map[int64]int
	total    int

	MaxPerToken int // streams one token may hold
	Max         int // streams in all
}

func NewStreamCount() *StreamCount {
	return &StreamCount{perToken: map[int64]int{}, MaxPerToken: maxStreamsPerToken, Max: maxStreams}
}

// Open counts a new stream of token, or refuses it with a 429 when a cap is reached.
func (c *StreamCount) Open(token int64) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.total >= c.Max:
		return nil, airlock.Errorf(airlock.ERATELIMIT, "the server has %d event streams open, its most", c.Max)
	case c.perToken[token] >= c.MaxPerToken:
		return nil, airlock.Errorf(airlock.ERATELIMIT, "this token has %d event streams open, its most; close one", c.MaxPerToken)
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
