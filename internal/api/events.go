package api

func (s *Server) eventRoutes() []Route {
	return nil
}
