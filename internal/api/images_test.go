package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

func TestGuideAdminCalls(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		img := s.Must(201, "POST", "/api/v1/images", map[string]any{
			"image_name": "redis", "registry": "docker.io", "namespace": "library",
			"description": "Redis in-memory data store", "category": "database", "is_official": true,
		}).Map(t)
		if img["id"] != 1.0 || img["approval_status"] != "approved" || img["approved_by"] != "bootstrap-admin" || img["approved_at"] == nil {
			t.Fatalf("created image: %v", img)
		}
		s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "7-alpine", "is_recommended": true, "architecture": "amd64"})
		tag := s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "6-alpine"}).Map(t)
		upd := s.Must(200, "PUT", fmt.Sprintf("/api/v1/images/1/tags/%v", tag["id"]), map[string]any{"is_deprecated": true}).Map(t)
		if upd["is_deprecated"] != true || upd["tag"] != "6-alpine" {
			t.Fatalf("updated tag: %v", upd)
		}
		got := s.Must(200, "GET", "/api/v1/images/1", nil).Map(t)
		tags := got["tags"].([]any)
		if len(tags) != 2 || tags[0].(map[string]any)["tag"] != "7-alpine" || tags[0].(map[string]any)["is_recommended"] != true ||
			tags[1].(map[string]any)["is_deprecated"] != true {
			t.Fatalf("image with tags: %v", got)
		}
	})
}

func TestImageNamesAreNormalised(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		for _, name := range []string{"library/redis", "docker.io/library/redis"} {
			s.Must(409, "POST", "/api/v1/images", map[string]any{"image_name": name})
		}
		s.Must(409, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "namespace": "library", "registry": "docker.io"})
		p := s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "portainer/portainer-ce", "category": "management"}).Map(t)
		if p["namespace"] != "portainer" || p["image_name"] != "portainer-ce" || p["registry"] != "docker.io" {
			t.Fatalf("portainer: %v", p)
		}
		s.Must(409, "POST", "/api/v1/images", map[string]any{"image_name": "portainer-ce", "namespace": "portainer"})
	})
}

func TestImageValidation(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis"})
		big := `{"image_name": "x", "description": "` + strings.Repeat("a", 1<<20) + `"}`
		cases := []struct {
			method, path string
			body         any
			status       int
			field        string
		}{
			{"POST", "/api/v1/images", `{"image_name": "redis"`, 400, ""},
			{"POST", "/api/v1/images", ``, 400, ""},
			{"POST", "/api/v1/images", `[1,2]`, 422, ""},
			{"POST", "/api/v1/images", big, 413, ""},
			{"POST", "/api/v1/images", map[string]any{"image_name": "Redis"}, 422, "image_name"},
			{"POST", "/api/v1/images", map[string]any{"image_name": "re dis"}, 422, "image_name"},
			{"POST", "/api/v1/images", map[string]any{"image_name": ""}, 422, "image_name"},
			{"POST", "/api/v1/images", map[string]any{"image_name": "x", "approval_status": "maybe"}, 422, "approval_status"},
			{"POST", "/api/v1/images", map[string]any{"image_name": "x", "is_official": "yes"}, 422, "is_official"},
			{"POST", "/api/v1/images", map[string]any{"image_name": "x", "colour": "red"}, 422, "colour"},
			{"POST", "/api/v1/images", map[string]any{"image_name": "x", "registry": "Bad_Host!"}, 422, "registry"},
			{"PUT", "/api/v1/images/1", map[string]any{"approval_status": "yes"}, 422, "approval_status"},
			{"PUT", "/api/v1/images/99", map[string]any{"category": "x"}, 404, ""},
			{"PUT", "/api/v1/images/abc", map[string]any{"category": "x"}, 404, ""},
			{"GET", "/api/v1/images/99", nil, 404, ""},
			{"DELETE", "/api/v1/images/99", nil, 404, ""},
			{"POST", "/api/v1/images/1/tags", map[string]any{"tag": "-bad"}, 422, "tag"},
			{"POST", "/api/v1/images/1/tags", map[string]any{"tag": strings.Repeat("a", 129)}, 422, "tag"},
			{"POST", "/api/v1/images/1/tags", map[string]any{"tag": "ok", "digest": "md5:abc"}, 422, "digest"},
			{"POST", "/api/v1/images/99/tags", map[string]any{"tag": "ok"}, 404, ""},
			{"PUT", "/api/v1/images/1/tags/99", map[string]any{"is_deprecated": true}, 404, ""},
			{"GET", "/api/v1/images?status=maybe", nil, 422, "status"},
			{"GET", "/api/v1/images?limit=-1", nil, 422, "limit"},
		}
		for _, c := range cases {
			r := s.Admin(c.method, c.path, c.body)
			body := r.Map(t)
			if r.Status != c.status || body["error"] == nil || body["message"] == nil {
				t.Errorf("%s %s %.60v: %d %v, want %d with error and message", c.method, c.path, c.body, r.Status, body, c.status)
			}
			if c.field != "" && body["field"] != c.field {
				t.Errorf("%s %s %.60v: field %v, want %s", c.method, c.path, c.body, body["field"], c.field)
			}
		}
		s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "7"})
		s.Must(409, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "7"})
		// Nothing was written by any refused request.
		var images, tags, events int
		ctx := context.Background()
		s.DB.QueryInt(ctx, &images, `SELECT COUNT(*) FROM images`)
		s.DB.QueryInt(ctx, &tags, `SELECT COUNT(*) FROM image_tags`)
		s.DB.QueryInt(ctx, &events, `SELECT COUNT(*) FROM events WHERE type LIKE 'image.%'`)
		if images != 1 || tags != 1 || events != 2 {
			t.Fatalf("after refused requests: %d images, %d tags, %d image events; want 1, 1, 2", images, tags, events)
		}
	})
}

func TestImageListFiltersAndDelete(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "category": "database", "description": "in-memory store"})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "postgres", "category": "database"})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "portainer/portainer-ce", "category": "management", "approval_status": "pending"})
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "ghcr.io/acme/sensor"})
		for q, want := range map[string]int{
			"": 4, "?search=MEMORY": 1, "?search=port": 1, "?search=%25": 0, "?status=pending": 1, "?status=approved": 3,
			"?category=database": 2, "?registry=ghcr.io": 1, "?limit=1&offset=1": 4,
		} {
			var l struct {
				Items []map[string]any
				Total int
			}
			s.Must(200, "GET", "/api/v1/images"+q, nil).JSON(t, &l)
			if l.Total != want {
				t.Errorf("GET /images%s: total %d, want %d", q, l.Total, want)
			}
			if q == "?limit=1&offset=1" && (len(l.Items) != 1 || l.Items[0]["image_name"] != "postgres") {
				t.Errorf("paging: %v", l.Items)
			}
		}
		var cats struct{ Items []map[string]any }
		s.Must(200, "GET", "/api/v1/images/categories", nil).JSON(t, &cats)
		if len(cats.Items) != 2 || cats.Items[0]["category"] != "database" || cats.Items[0]["count"] != 2.0 {
			t.Fatalf("categories: %v", cats.Items)
		}
		s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "7"})
		upd := s.Must(200, "PUT", "/api/v1/images/3", map[string]any{"approval_status": "approved"}).Map(t)
		if upd["approved_by"] != "bootstrap-admin" {
			t.Fatalf("approved image: %v", upd)
		}
		s.Must(204, "DELETE", "/api/v1/images/1", nil)
		s.Must(404, "GET", "/api/v1/images/1", nil)
		var tags int
		s.DB.QueryInt(context.Background(), &tags, `SELECT COUNT(*) FROM image_tags`)
		if tags != 0 {
			t.Fatalf("tags left after deleting their image: %d", tags)
		}
	})
}

func TestAuthAndRoles(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		viewer, approver := s.Token("viewer"), s.Token("approver")
		check := func(token, method, path string, body any, want int) {
			t.Helper()
			if r := s.Do(method, path, token, body); r.Status != want {
				t.Errorf("%s %s with %.12q: %d, want %d: %s", method, path, token, r.Status, want, r.Body)
			}
		}
		check("", "GET", "/api/v1/images", nil, 401)
		check("wrong", "GET", "/api/v1/images", nil, 401)
		check(viewer, "GET", "/api/v1/images", nil, 200)
		check(viewer, "POST", "/api/v1/images", map[string]any{"image_name": "redis"}, 403)
		check(approver, "POST", "/api/v1/images", map[string]any{"image_name": "redis"}, 201)
		check(approver, "GET", "/api/v1/tokens", nil, 403)
		check(approver, "POST", "/api/v1/tokens", map[string]any{"name": "x", "role": "admin"}, 403)
		check(apitest.AdminToken, "POST", "/api/v1/tokens", map[string]any{"name": "x", "role": "root"}, 422)

		var toks struct{ Items []map[string]any }
		s.Must(200, "GET", "/api/v1/tokens", nil).JSON(t, &toks)
		for _, tok := range toks.Items {
			if tok["token"] != nil {
				t.Fatalf("token list shows a secret: %v", tok)
			}
			if tok["name"] == "viewer-test" {
				s.Must(204, "DELETE", fmt.Sprintf("/api/v1/tokens/%v", tok["id"]), nil)
			}
		}
		check(viewer, "GET", "/api/v1/images", nil, 401)

		secrets := []string{apitest.AdminToken, viewer, approver}
		var payloads []string
		rows, err := s.DB.QueryStrings(context.Background(), `SELECT payload FROM events`)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, rows...)
		for _, sec := range secrets {
			for _, p := range append(payloads, s.Logs.String()) {
				if strings.Contains(p, sec) {
					t.Fatalf("secret %q leaked into %s", sec, p)
				}
			}
		}
		if s.Admin("GET", "/api/v1/nope", nil).Status != http.StatusNotFound {
			t.Fatal("unknown API route is not a JSON 404")
		}
	})
}
