package api

// LimiterSizes is how many identities the webhook and device limiters hold.
func (s *Server) LimiterSizes() (webhooks, devices int) {
	return s.webhookLimiter.size(), s.deviceLimiter.size()
}
