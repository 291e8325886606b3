package api

func (s *Server) deviceRoutes() []Route {
	return nil
}
