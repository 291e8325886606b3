package api

func (s *Server) policyRoutes() []Route {
	return nil
}
