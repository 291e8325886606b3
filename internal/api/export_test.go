package api

import "time"

// LimiterSizes is how many identities the webhook and device limiters hold.
func (s *Server) LimiterSizes() (webhooks, devices int) {
	return s.webhookLimiter.Size(), s.deviceLimiter.Size()
}

// SetMetricsClock replaces the clock that ages the database counts of /metrics.
func (s *Server) SetMetricsClock(now func() time.Time) { s.metrics.SetClock(now) }

// SetStreamCaps replaces the caps on open event streams.
func (s *Server) SetStreamCaps(perToken, total int) {
	s.streams.MaxPerToken, s.streams.Max = perToken, total
}
