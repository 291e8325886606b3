package api

func (s *Server) webhookRoutes() []Route {
	return nil
}
