package web_test

import (
	"context"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
)

// TestApproveAndDeploy: under a 2-of-N rule the queue shows the progress
// and, at 390 px, the CI checks of the request's digest with their links;
// "Approve & deploy" records the approval and asks for the deployment.
func TestApproveAndDeploy(t *testing.T) {
	var mu sync.Mutex
	deployed := []int64{}
	s := server(t, apitest.WithService(func(svc *service.Service) {
		svc.OnApproved = func(_ context.Context, req airlock.ApprovalRequest, deploy bool) {
			mu.Lock()
			defer mu.Unlock()
			if deploy {
				deployed = append(deployed, req.ID)
			}
		}
	}))
	s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "two", "image_pattern": "nginx", "kind": "approvals", "required": 2})
	// Release scope: the request is for the digest, so it shows the digest's checks.
	s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": "nginx", "approval_scope": "release"})
	if r := push(t, s, "docker.io/library/nginx:1.27@"+nginxDigest); r.Status != 403 {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	var tok struct{ Token string }
	s.Must(201, "POST", "/api/v1/tokens", map[string]string{"name": "bob", "role": airlock.RoleApprover}).JSON(t, &tok)
	var list struct{ Items []airlock.ApprovalRequest }
	s.Must(200, "GET", "/api/v1/approval-requests", nil).JSON(t, &list)
	s.Do("POST", "/api/v1/approval-requests/1/approve", tok.Token, nil)
	if r := s.Do("POST", "/api/v1/releases/by-digest/"+list.Items[0].Digest+"/checks", s.Token(airlock.RoleCI),
		map[string]any{"name": "smoke", "status": "failure", "url": "https://ci.example/run/7"}); r.Status != 204 {
		t.Fatalf("check: %d %s", r.Status, r.Body)
	}

	p := open(t, s)
	p.do("setting the viewport to 390 px", chromedp.EmulateViewport(390, 844))
	p.signIn(apitest.AdminToken)
	nginx := `[data-testid=approval-row][data-image="docker.io/library/nginx"]`
	p.waitFor("the request shows its progress", `(document.querySelector('`+nginx+` [data-testid=approval-progress]') || {}).textContent === '1 of 2 approvals'`)
	p.waitFor("the request shows its check", exists(nginx+` [data-testid=check][data-name=smoke][data-status=failure] a[href="https://ci.example/run/7"]`))
	if why := eval[string](p, noSideways); why != "" {
		t.Errorf("approvals at 390 px: %s", why)
	}
	p.click(nginx + " [data-testid=approve-deploy]")
	p.waitFor("the request leaves the queue", "!("+exists(nginx)+")")
	mu.Lock()
	defer mu.Unlock()
	if len(deployed) != 1 || deployed[0] != list.Items[0].ID {
		t.Fatalf("deploy asked for %v, want [%d]", deployed, list.Items[0].ID)
	}
}
