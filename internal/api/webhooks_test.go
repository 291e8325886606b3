package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/webhook"
	"github.com/google/go-cmp/cmp"
)

const hookPath = "/api/v1/webhooks/docker-registry?token=" + apitest.WebhookSecret

// dockerHub is the guide's minimal Docker Hub body.
func dockerHub(repo, tag string) map[string]any {
	return map[string]any{"repository": map[string]any{"repo_name": repo}, "push_data": map[string]any{"tag": tag}}
}

func push(s *apitest.Server, repo, tag string) apitest.Response {
	return s.Do("POST", hookPath, "", dockerHub(repo, tag))
}

func count(t *testing.T, s *apitest.Server, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.QueryInt(context.Background(), &n, q, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantAnswer(t *testing.T, r apitest.Response, status int, want map[string]any) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	got := r.Map(t)
	for k, v := range want {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Fatalf("%s: (-want +got)\n%s\nbody %s", k, diff, r.Body)
		}
	}
	return got
}

// TestGuideWorkflows replays the integration guide's workflows 1–5 and its
// tests 1–3 in order, checking statuses, bodies and what was written.
func TestGuideWorkflows(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		// Workflow 1 / test 3: internal image skips the check.
		wantAnswer(t, push(s, "iotistic/agent", "v2.1.0"), 200, map[string]any{"outcome": "internal", "internal": true, "tag": "v2.1.0"})
		if n := count(t, s, `SELECT COUNT(*) FROM image_approval_requests`); n != 0 {
			t.Fatalf("internal image raised %d approval requests", n)
		}

		// Workflow 2 / test 1: approved image, known tag.
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "redis", "category": "database", "description": "Redis in-memory data store"})
		s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "7.5-alpine", "is_recommended": true})
		wantAnswer(t, push(s, "redis", "7.5-alpine"), 200, map[string]any{"outcome": "approved", "image": "redis", "tag_added": false})

		// Workflow 3: new tag of an approved image is auto-added, not recommended.
		wantAnswer(t, push(s, "redis", "7.6-alpine"), 200, map[string]any{"outcome": "approved_new_tag", "tag_added": true})
		if n := count(t, s, `SELECT COUNT(*) FROM image_tags WHERE tag = '7.6-alpine' AND source = 'webhook' AND is_recommended = FALSE`); n != 1 {
			t.Fatalf("auto-added tags: %d", n)
		}

		// Workflow 4: unknown image → 403, approval request; admin approves it.
		wantAnswer(t, push(s, "portainer/portainer-ce", "latest"), 403, map[string]any{
			"error":           "Image not approved",
			"message":         "Image 'portainer/portainer-ce' is not in the approved registry",
			"action_required": "Admin must approve this image before deployment",
		})
		if n := count(t, s, `SELECT COUNT(*) FROM image_approval_requests WHERE namespace = 'portainer' AND image_name = 'portainer-ce' AND status = 'pending'`); n != 1 {
			t.Fatalf("approval requests: %d", n)
		}
		s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "portainer-ce", "namespace": "portainer", "category": "management"})
		if n := count(t, s, `SELECT COUNT(*) FROM image_approval_requests WHERE image_name = 'portainer-ce' AND status = 'approved'`); n != 1 {
			t.Fatal("adding the image did not settle its approval request")
		}
		s.Must(201, "POST", "/api/v1/images/2/tags", map[string]any{"tag": "latest"})
		wantAnswer(t, push(s, "portainer/portainer-ce", "latest"), 200, map[string]any{"outcome": "approved"})

		// Workflow 5: deprecated tag → 403, nothing written.
		tag := s.Must(201, "POST", "/api/v1/images/1/tags", map[string]any{"tag": "6-alpine"}).Map(t)
		s.Must(200, "PUT", "/api/v1/images/1/tags/"+itoa(tag["id"]), map[string]any{"is_deprecated": true})
		before := count(t, s, `SELECT COUNT(*) FROM image_tags`)
		wantAnswer(t, push(s, "redis", "6-alpine"), 403, map[string]any{
			"error": "Tag deprecated", "message": "Tag '6-alpine' for image 'redis' is marked as deprecated",
		})
		if after := count(t, s, `SELECT COUNT(*) FROM image_tags`); after != before {
			t.Fatalf("deprecated push changed tags: %d → %d", before, after)
		}

		// Test 2: unapproved image → 403 and an approval request.
		wantAnswer(t, push(s, "memcached", "latest"), 403, map[string]any{"error": "Image not approved"})
		if n := count(t, s, `SELECT COUNT(*) FROM image_approval_requests WHERE image_name = 'memcached'`); n != 1 {
			t.Fatalf("memcached requests: %d", n)
		}

		checkGuideTrail(t, s)
	})
}

func TestInternalPrefixIsMatchedOnNormalisedName(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		gen := func(image string) apitest.Response {
			return s.Do("POST", "/api/v1/webhooks/generic?token="+apitest.WebhookSecret, "", map[string]any{"image": image})
		}
		wantAnswer(t, gen("docker.io/iotistic/agent:v2"), 200, map[string]any{"outcome": "internal"})
		wantAnswer(t, gen("ghcr.io/dsamborschi/agent:v2"), 200, map[string]any{"outcome": "internal"})
		wantAnswer(t, gen("evil.example/iotistic/agent:v2"), 403, map[string]any{"error": "Image not approved"})
	})
}

func TestWebhookAuthentication(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		body := `{"image": "docker.io/library/nginx:1.27"}`
		for name, r := range map[string]apitest.Response{
			"none":          s.Do("POST", "/api/v1/webhooks/generic", "", body),
			"wrong token":   s.Do("POST", "/api/v1/webhooks/generic?token=nope", "", body),
			"wrong bearer":  s.Do("POST", "/api/v1/webhooks/generic", "nope", body),
			"bad signature": s.Do("POST", "/api/v1/webhooks/generic", "", body, "X-Hub-Signature-256", webhook.Sign("nope", []byte(body))),
			"admin token":   s.Do("POST", "/api/v1/webhooks/generic", apitest.AdminToken, body),
		} {
			if r.Status != 401 || r.Map(t)["error"] != "Unauthorized" {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if n := count(t, s, `SELECT (SELECT COUNT(*) FROM events WHERE type LIKE 'image.%') + (SELECT COUNT(*) FROM image_approval_requests) + (SELECT COUNT(*) FROM webhook_deliveries)`); n != 0 {
			t.Fatalf("refused deliveries wrote %d rows", n)
		}
		ok := map[string]apitest.Response{
			"bearer":    s.Do("POST", "/api/v1/webhooks/generic", apitest.WebhookSecret, body),
			"verbatim":  s.Do("POST", "/api/v1/webhooks/generic", "", body, "Authorization", apitest.WebhookSecret),
			"signature": s.Do("POST", "/api/v1/webhooks/generic", "", body, "X-Hub-Signature-256", webhook.Sign(apitest.WebhookSecret, []byte(body))),
		}
		for name, r := range ok {
			if r.Status != 403 { // authenticated; nginx is simply not approved
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if strings.Contains(s.Logs.String(), apitest.WebhookSecret) {
			t.Fatal("webhook secret logged")
		}
		var payloads []string
		payloads, err := s.DB.QueryStrings(context.Background(), `SELECT payload FROM events`)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(payloads, ""), apitest.WebhookSecret) {
			t.Fatal("webhook secret in an event")
		}
	})
}

func TestWebhookBadInput(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := "?token=" + apitest.WebhookSecret
		cases := []struct {
			name, path, body string
			status           int
		}{
			{"malformed", "/api/v1/webhooks/docker-registry", `{"repository":`, 400},
			{"unknown format", "/api/v1/webhooks/docker-registry", `{"hello": "world"}`, 400},
			{"not an object", "/api/v1/webhooks/docker-registry", `[1,2]`, 400},
			{"missing tag", "/api/v1/webhooks/dockerhub", `{"repository": {"repo_name": "redis"}, "push_data": {}}`, 400},
			{"invalid reference", "/api/v1/webhooks/generic", `{"image": "UPPER/Case:tag"}`, 400},
			{"invalid tag", "/api/v1/webhooks/dockerhub", `{"repository": {"repo_name": "redis"}, "push_data": {"tag": "bad tag!"}}`, 400},
			{"unknown source", "/api/v1/webhooks/nosuch", `{}`, 404},
			{"too large", "/api/v1/webhooks/generic", `{"image": "redis:7", "x": "` + strings.Repeat("a", 1<<20) + `"}`, 413},
		}
		for _, c := range cases {
			r := s.Do("POST", c.path+tok, "", c.body)
			if r.Status != c.status || r.Map(t)["message"] == "" {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type LIKE 'image.%'`); n != 0 {
			t.Fatalf("bad deliveries wrote %d events", n)
		}
	})
}

func TestConcurrentUnknownPushesMakeOneRequest(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const n = 200
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = push(s, "portainer/portainer-ce", "latest").Status
			}()
		}
		wg.Wait()
		for i, st := range statuses {
			if st != 403 {
				t.Fatalf("push %d: %d", i, st)
			}
		}
		var reqs struct {
			Items []struct {
				RequestCount int      `json:"request_count"`
				TagsSeen     []string `json:"tags_seen"`
			}
			Total int
		}
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &reqs)
		if reqs.Total != 1 || reqs.Items[0].RequestCount != n || len(reqs.Items[0].TagsSeen) != 1 {
			t.Fatalf("approval requests: %+v", reqs)
		}
		if c := count(t, s, `SELECT COUNT(*) FROM events WHERE type = 'image.approval_requested'`); c != 1 {
			t.Fatalf("%d approval_requested events", c)
		}
	})
}

func TestApproveRejectAndBulk(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, repo := range []string{"portainer/portainer-ce", "memcached", "nginx", "traefik"} {
			push(s, repo, "latest")
		}
		push(s, "memcached", "1.6")
		ids := map[string]int64{}
		var reqs struct {
			Items []struct {
				ID        int64  `json:"id"`
				ImageName string `json:"image_name"`
			}
		}
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &reqs)
		for _, r := range reqs.Items {
			ids[r.ImageName] = r.ID
		}

		// Approve: the image and every tag seen are approved; pushes pass.
		s.Must(200, "POST", "/api/v1/approval-requests/"+itoa(ids["memcached"])+"/approve", nil)
		s.Must(409, "POST", "/api/v1/approval-requests/"+itoa(ids["memcached"])+"/approve", nil)
		wantAnswer(t, push(s, "memcached", "1.6"), 200, map[string]any{"outcome": "approved"})
		wantAnswer(t, push(s, "memcached", "latest"), 200, map[string]any{"outcome": "approved"})

		// Reject: refused from now on, and no new request is raised.
		s.Must(200, "POST", "/api/v1/approval-requests/"+itoa(ids["portainer-ce"])+"/reject", map[string]any{"reason": "not for our fleet"})
		s.Must(409, "POST", "/api/v1/approval-requests/"+itoa(ids["portainer-ce"])+"/reject", nil)
		wantAnswer(t, push(s, "portainer/portainer-ce", "latest"), 403, map[string]any{"error": "Image not approved"})
		if n := count(t, s, `SELECT COUNT(*) FROM image_approval_requests WHERE image_name = 'portainer-ce'`); n != 1 {
			t.Fatalf("rejected image raised %d requests", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = 'image.approval_rejected' AND payload LIKE '%not for our fleet%'`); n != 1 {
			t.Fatal("no rejection event with its reason")
		}

		// Bulk: one decided already reports its conflict, the rest go through.
		var bulk struct {
			Results []struct {
				ID    int64          `json:"id"`
				Error map[string]any `json:"error"`
			}
		}
		s.Must(200, "POST", "/api/v1/approval-requests/bulk", map[string]any{
			"ids": []int64{ids["nginx"], ids["traefik"], ids["memcached"]}, "action": "approve"}).JSON(t, &bulk)
		if len(bulk.Results) != 3 || bulk.Results[0].Error != nil || bulk.Results[1].Error != nil || bulk.Results[2].Error["code"] != "conflict" {
			t.Fatalf("bulk: %+v", bulk)
		}
		wantAnswer(t, push(s, "traefik", "latest"), 200, map[string]any{"outcome": "approved"})
		s.Must(422, "POST", "/api/v1/approval-requests/bulk", map[string]any{"ids": []int{1}, "action": "maybe"})
		s.Must(404, "POST", "/api/v1/approval-requests/999/approve", nil)
		s.Must(422, "GET", "/api/v1/approval-requests?status=bogus", nil)
		if r := s.Do("POST", "/api/v1/approval-requests/1/approve", s.Token("viewer"), nil); r.Status != http.StatusForbidden {
			t.Fatalf("viewer approving: %d", r.Status)
		}
	})
}

// TestRedeliveryOfARefusal: a refused delivery redelivered is decided
// afresh, asking for approval only once; once the image is approved the
// same delivery id deploys, and from then on its answer is replayed.
func TestRedeliveryOfARefusal(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		body := `{"action": "published", "package": {"name": "agent", "namespace": "acme", "package_type": "container",
			"owner": {"login": "acme"}, "package_version": {"version": "sha256:` + strings.Repeat("a", 64) + `",
			"container_metadata": {"tag": {"name": "v1", "digest": "sha256:` + strings.Repeat("a", 64) + `"}}}}}`
		send := func() apitest.Response {
			return s.Do("POST", "/api/v1/webhooks/ghcr", "", body, "X-GitHub-Event", "package",
				"X-GitHub-Delivery", "d-1", "X-Hub-Signature-256", webhook.Sign(apitest.WebhookSecret, []byte(body)))
		}
		first := send()
		if first.Status != 403 {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		again := send()
		if again.Status != 403 || string(again.Body) != string(first.Body) {
			t.Fatalf("redelivery: %d %s, first %d %s", again.Status, again.Body, first.Status, first.Body)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE type = 'image.webhook_rejected'`); n != 2 {
			t.Fatalf("the redelivery was not decided afresh: %d refusals recorded", n)
		}
		if n := count(t, s, `SELECT request_count FROM image_approval_requests`); n != 1 {
			t.Fatalf("redelivery bumped the request to %d", n)
		}
		s.Must(200, "POST", "/api/v1/approval-requests/1/approve", nil)
		wantAnswer(t, send(), 200, map[string]any{"allowed": true, "outcome": "approved"})
		events := count(t, s, `SELECT COUNT(*) FROM events`)
		replay := send()
		if replay.Status != 200 || count(t, s, `SELECT COUNT(*) FROM events`) != events {
			t.Fatalf("an allowed delivery redelivered: %d %s, or it wrote events", replay.Status, replay.Body)
		}
	})
}

// itoa renders an id, as Go or as a decoded JSON number, for a path.
func itoa(v any) string {
	if f, ok := v.(float64); ok {
		v = int64(f)
	}
	return strconv.FormatInt(v.(int64), 10)
}

// checkGuideTrail: the guide's workflows left their events and the
// original service's log lines.
func checkGuideTrail(t *testing.T, s *apitest.Server) {
	t.Helper()
	for _, typ := range []string{"image.webhook_received", "image.webhook_approved", "image.webhook_rejected",
		"image.approval_requested", "image.tag.added", "image.registry.added"} {
		if count(t, s, `SELECT COUNT(*) FROM events WHERE type = $1`, typ) == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	for _, line := range []string{
		"[Webhook] Checking approval status for public image: redis",
		"[Webhook] Image approved for deployment: redis:7.5-alpine",
		"[Webhook] Image not found in approved registry: memcached",
		"[Webhook] Tag not found in approved list: 7.6-alpine",
		"[Webhook] Auto-added tag 7.6-alpine to approved image redis",
	} {
		if !strings.Contains(s.Logs.String(), line) {
			t.Errorf("log lacks %q", line)
		}
	}
}
