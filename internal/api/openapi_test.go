package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/api/openapi"
	"github.com/airlock-iot/airlock/internal/events"
	"github.com/airlock-iot/airlock/internal/metrics"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	db := storetest.Open(t, storetest.URL(t, store.SQLite))
	log := slog.New(slog.DiscardHandler)
	return New(&service.Service{DB: db, Log: log}, events.NewHub(db, log), metrics.New(db, log), log)
}

// TestOpenAPIDocumentsEveryRoute: every route the server registers is in
// the document with the security its Auth implies, and every operation the
// document lists is one the server serves.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("X-Request-Id") == "" {
		t.Fatalf("GET openapi.json without a token: %d %v", rec.Code, rec.Header())
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
	for _, p := range docProblems(doc, s.Routes(), s.pattern) {
		t.Error(p)
	}
	for _, p := range danglingRefs(doc) {
		t.Error(p)
	}
}

// TestOpenAPICheckCatchesUndocumentedRoutes proves the check above fails
// when a route is added without documenting it, or documented but not served.
func TestOpenAPICheckCatchesUndocumentedRoutes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	var doc map[string]any
	json.Unmarshal(openapi.JSON(), &doc)
	routes := append(slices.Clone(s.Routes()), Route{Method: "POST", Path: "/api/v1/images/{id}/archive", Auth: Approver})
	got := docProblems(doc, routes, s.pattern)
	if len(got) != 1 || !strings.Contains(got[0], "POST /api/v1/images/{id}/archive") {
		t.Fatalf("undocumented route: problems %q", got)
	}
	doc["paths"].(map[string]any)["/api/v1/nowhere"] = map[string]any{"get": map[string]any{}}
	got = docProblems(doc, s.Routes(), s.pattern)
	if len(got) != 1 || !strings.Contains(got[0], "GET /api/v1/nowhere") {
		t.Fatalf("documented but not served: problems %q", got)
	}
}

// pattern is the route pattern the server's mux picks for method and path.
func (s *Server) pattern(method, path string) string {
	_, p := s.mux.Handler(httptest.NewRequest(method, path, nil))
	return p
}

var wantSecurity = map[Auth]string{
	Public: "[]", Viewer: "[map[apiToken:[viewer]]]", Approver: "[map[apiToken:[approver]]]", Admin: "[map[apiToken:[admin]]]",
	Scanner: "[map[apiToken:[scanner]]]", CI: "[map[apiToken:[ci]]]",
	Device: "[map[deviceKey:[]]]", Webhook: "[map[webhookToken:[]] map[webhookBearer:[]] map[webhookSignature:[]]]",
}

func docProblems(doc map[string]any, routes []Route, pattern func(method, path string) string) []string {
	var problems []string
	paths, _ := doc["paths"].(map[string]any)
	served := map[string]bool{}
	for _, rt := range routes {
		served[rt.Method+" "+rt.Path] = true
		op, ok := lookupOp(paths, rt.Method, openapi.Path(rt.Path))
		if !ok {
			problems = append(problems, fmt.Sprintf("route %s %s is not in the OpenAPI document", rt.Method, rt.Path))
			continue
		}
		if got := fmt.Sprint(op["security"]); got != wantSecurity[rt.Auth] {
			problems = append(problems, fmt.Sprintf("%s %s (%s): security %s, want %s", rt.Method, rt.Path, rt.Auth, got, wantSecurity[rt.Auth]))
		}
	}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			method = strings.ToUpper(method)
			if p := pattern(method, fillParams(path)); !served[p] {
				problems = append(problems, fmt.Sprintf("documented %s %s is not served (mux pattern %q)", method, path, p))
			}
		}
	}
	return problems
}

func lookupOp(paths map[string]any, method, path string) (map[string]any, bool) {
	item, ok := paths[path].(map[string]any)
	if !ok {
		return nil, false
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

func fillParams(path string) string {
	return pathParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case "{uuid}":
			return "dev-1"
		case "{source}":
			return "generic"
		}
		return "1"
	})
}

// danglingRefs lists the $refs that point nowhere.
func danglingRefs(doc map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok && resolve(doc, r) == nil {
				out = append(out, "dangling $ref "+r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

func resolve(doc map[string]any, ref string) any {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}
