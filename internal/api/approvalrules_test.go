package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/store/storetest"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// ghcrPush sends GHCR's package event for ghcr.io/acme/<name>:v1 pushed by sender.
func ghcrPush(s *apitest.Server, name, sender string) apitest.Response {
	digest := "sha256:" + strings.Repeat("b", 64)
	body := fmt.Sprintf(`{"action": "published", "sender": {"login": %q}, "package": {"name": %q, "namespace": "acme",
		"package_type": "container", "owner": {"login": "acme"}, "package_version": {"version": %q,
		"container_metadata": {"tag": {"name": "v1", "digest": %q}}}}}`, sender, name, digest, digest)
	return s.Do("POST", "/api/v1/webhooks/ghcr", "", body, "X-GitHub-Event", "package",
		"X-Hub-Signature-256", webhook.Sign(apitest.WebhookSecret, []byte(body)))
}

// namedToken creates an approver token named name.
func namedToken(t *testing.T, s *apitest.Server, name string) string {
	t.Helper()
	var tok struct{ Token string }
	s.Must(201, "POST", "/api/v1/tokens", map[string]string{"name": name, "role": airlock.RoleApprover}).JSON(t, &tok)
	return tok.Token
}

type approvedCall struct {
	id     int64
	deploy bool
}

// TestTwoOfNWithSeparationOfDuties is issue 17's acceptance: under a
// 2-of-N rule with separation of duties, a GHCR push by alice raises a
// request; alice may not approve it, bob's approval leaves it pending and
// his second is a conflict, carol's approves it and asks to deploy it.
func TestTwoOfNWithSeparationOfDuties(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		var mu sync.Mutex
		var calls []approvedCall
		s := apitest.Start(t, dbURL, apitest.WithService(func(svc *service.Service) {
			svc.OnApproved = func(_ context.Context, req airlock.ApprovalRequest, deploy bool) {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, approvedCall{req.ID, deploy})
			}
		}))
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "two of N", "image_pattern": "ghcr.io/acme/*",
			"kind": "approvals", "required": 2, "separate_duties": true, "expires_after": "1h"})
		alice, bob, carol := namedToken(t, s, "alice"), namedToken(t, s, "bob"), namedToken(t, s, "carol")
		if r := ghcrPush(s, "gateway", "alice"); r.Status != 403 {
			t.Fatalf("push of an unknown image: %d %s", r.Status, r.Body)
		}
		var list struct{ Items []airlock.ApprovalRequest }
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Pusher != "alice" || list.Items[0].Required != 2 || list.Items[0].Rule != "two of N" ||
			list.Items[0].ExpiresAt == nil {
			t.Fatalf("requests %+v", list.Items)
		}
		path := fmt.Sprintf("/api/v1/approval-requests/%d/approve", list.Items[0].ID)
		if r := s.Do("POST", path, alice, nil); r.Status != 403 || !strings.Contains(string(r.Body), "pusher") {
			t.Fatalf("alice approves her own push: %d %s", r.Status, r.Body)
		}
		var req airlock.ApprovalRequest
		if r := s.Do("POST", path, bob, nil); r.Status != 200 {
			t.Fatalf("bob approves: %d %s", r.Status, r.Body)
		} else if r.JSON(t, &req); req.Status != "pending" || req.Approvals != 1 || len(req.Decisions) != 1 || req.Decisions[0].By != "bob" {
			t.Fatalf("after bob: %+v", req)
		}
		if r := s.Do("POST", path, bob, nil); r.Status != 409 {
			t.Fatalf("bob again: %d %s", r.Status, r.Body)
		}
		if r := s.Do("POST", path, carol, map[string]bool{"deploy": true}); r.Status != 200 {
			t.Fatalf("carol approves: %d %s", r.Status, r.Body)
		} else if r.JSON(t, &req); req.Status != "approved" || req.Approvals != 2 || !req.Decisions[1].Deploy || *req.DecidedBy != "carol" {
			t.Fatalf("after carol: %+v", req)
		}
		mu.Lock()
		if len(calls) != 1 || calls[0] != (approvedCall{req.ID, true}) {
			t.Errorf("OnApproved calls %+v", calls)
		}
		mu.Unlock()
		img := s.Must(200, "GET", "/api/v1/images?search=gateway", nil).Map(t)
		if items := img["items"].([]any); len(items) != 1 || items[0].(map[string]any)["approval_status"] != "approved" {
			t.Errorf("the image once approved: %v", img)
		}
		if r := s.Do("POST", path, s.Token(airlock.RoleApprover), nil); r.Status != 409 {
			t.Errorf("deciding an approved request: %d", r.Status)
		}
		checkTrail(t, s, req.ID, "image.approval_requested webhook/ghcr, image.approval_decision bob, "+
			"image.approval_decision carol, image.approval_approved carol")
	})
}

// checkTrail checks a request's audit trail, by subject: each event's type and actor.
func checkTrail(t *testing.T, s *apitest.Server, id int64, want string) {
	t.Helper()
	var trail struct{ Items []airlock.Event }
	s.Must(200, "GET", fmt.Sprintf("/api/v1/events?subject=approval-request/%d", id), nil).JSON(t, &trail)
	var got []string
	for _, e := range trail.Items {
		got = append(got, e.Type+" "+e.Actor)
	}
	if strings.Join(got, ", ") != want {
		t.Errorf("the request's audit trail: %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestExpiredRequest: a request past expires_after is expired, approving
// it is a conflict, and a later push raises a new one.
func TestExpiredRequest(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		var mu sync.Mutex
		now := time.Now().UTC()
		s.DB.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "quick", "image_pattern": "ghcr.io/acme/*",
			"kind": "approvals", "expires_after": "30m"})
		ghcrPush(s, "sensor", "alice")
		var list struct{ Items []airlock.ApprovalRequest }
		s.Must(200, "GET", "/api/v1/approval-requests", nil).JSON(t, &list)
		id := list.Items[0].ID
		mu.Lock()
		now = now.Add(31 * time.Minute)
		mu.Unlock()
		if r := s.Do("POST", fmt.Sprintf("/api/v1/approval-requests/%d/approve", id), s.Token(airlock.RoleApprover), nil); r.Status != 409 {
			t.Fatalf("approving an expired request: %d %s", r.Status, r.Body)
		}
		s.Must(200, "GET", "/api/v1/approval-requests?status=expired", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != id {
			t.Fatalf("expired requests %+v", list.Items)
		}
		ghcrPush(s, "sensor", "alice")
		s.Must(200, "GET", "/api/v1/approval-requests?status=all", nil).JSON(t, &list)
		if len(list.Items) != 2 || list.Items[0].Status != "pending" {
			t.Fatalf("after a new push: %+v", list.Items)
		}
		evs := s.Must(200, "GET", "/api/v1/events?type=image.approval_expired", nil).Map(t)
		if evs["total"] != 1.0 {
			t.Errorf("expired events %v", evs)
		}
	})
}

// ghcrPushDigest sends GHCR's package event for ghcr.io/acme/<name>:<tag>@digest.
func ghcrPushDigest(s *apitest.Server, name, tag, digest string) apitest.Response {
	body := fmt.Sprintf(`{"action": "published", "sender": {"login": "ci-bot"}, "package": {"name": %q, "namespace": "acme",
		"package_type": "container", "owner": {"login": "acme"}, "package_version": {"version": %q,
		"container_metadata": {"tag": {"name": %q, "digest": %q}}}}}`, name, digest, tag, digest)
	return s.Do("POST", "/api/v1/webhooks/ghcr", "", body, "X-GitHub-Event", "package",
		"X-Hub-Signature-256", webhook.Sign(apitest.WebhookSecret, []byte(body)))
}

// TestReleaseScopedApproval: under approval_scope release each digest
// needs its own approval, tags are not auto-added, and deciding a
// release's request leaves the image's approval as it is.
func TestReleaseScopedApproval(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		img := s.Must(201, "POST", "/api/v1/images", map[string]any{"registry": "ghcr.io", "namespace": "acme",
			"image_name": "fw", "approval_scope": "release"}).Map(t)
		if img["approval_scope"] != "release" {
			t.Fatalf("image %v", img)
		}
		s.Must(422, "PUT", fmt.Sprintf("/api/v1/images/%v", img["id"]), map[string]any{"approval_scope": "digest"})
		a, b := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("c", 64)
		r := ghcrPushDigest(s, "fw", "1.0", a)
		if r.Status != 403 || r.Map(t)["outcome"] != "release_not_approved" {
			t.Fatalf("an unapproved release: %d %s", r.Status, r.Body)
		}
		var list struct{ Items []airlock.ApprovalRequest }
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Digest != a {
			t.Fatalf("requests %+v", list.Items)
		}
		s.Must(200, "POST", fmt.Sprintf("/api/v1/approval-requests/%d/approve", list.Items[0].ID), nil)
		if r := ghcrPushDigest(s, "fw", "1.0", a); r.Status != 200 {
			t.Fatalf("the approved release: %d %s", r.Status, r.Body)
		}
		if r := ghcrPushDigest(s, "fw", "1.0", b); r.Status != 403 {
			t.Fatalf("another digest under the same tag: %d %s", r.Status, r.Body)
		}
		if r := ghcrPushDigest(s, "fw", "1.1", a); r.Status != 403 {
			t.Fatalf("a new tag is not auto-added: %d %s", r.Status, r.Body)
		}
		s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &list)
		// the new tag of the approved digest asks again, as does the new digest
		if len(list.Items) != 2 || list.Items[0].Digest != a || list.Items[0].Tag != "1.1" || list.Items[1].Digest != b {
			t.Fatalf("pending after the second digest: %+v", list.Items)
		}
		s.Must(200, "POST", fmt.Sprintf("/api/v1/approval-requests/%d/reject", list.Items[1].ID), map[string]string{"reason": "bad"})
		if got := s.Must(200, "GET", fmt.Sprintf("/api/v1/images/%v", img["id"]), nil).Map(t); got["approval_status"] != "approved" {
			t.Errorf("rejecting a release rejected the image: %v", got)
		}
	})
}
