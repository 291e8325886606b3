package api_test

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

// errorCase is an admin request that must fail with status, naming field
// when one is given.
type errorCase struct {
	method, path string
	body         any
	status       int
	field        string
}

func checkErrors(t *testing.T, s *apitest.Server, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		r := s.Admin(c.method, c.path, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s %v: status %d, want %d: %s", c.method, c.path, c.body, r.Status, c.status, r.Body)
			continue
		}
		if c.field != "" && r.Map(t)["field"] != c.field {
			t.Errorf("%s %s %v: field %v, want %s", c.method, c.path, c.body, r.Map(t)["field"], c.field)
		}
	}
}
