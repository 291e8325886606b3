package api

func (s *Server) rolloutRoutes() []Route {
	return nil
}
