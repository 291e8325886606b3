package api

func (s *Server) webRoutes() []Route {
	return nil
}
