package web_test

import (
	"context"
	"sync"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/service"
)

// TestApproveAndDeploy: under a 2-of-N rule the queue shows the progress;
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
	if r := push(t, s, "docker.io/library/nginx:1.27"); r.Status != 403 {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	var tok struct{ Token string }
	s.Must(201, "POST", "/api/v1/tokens", map[string]string{"name": "bob", "role": airlock.RoleApprover}).JSON(t, &tok)
	var list struct{ Items []airlock.ApprovalRequest }
	s.Must(200, "GET", "/api/v1/approval-requests", nil).JSON(t, &list)
	s.Do("POST", "/api/v1/approval-requests/1/approve", tok.Token, nil)

	p := open(t, s)
	p.signIn(apitest.AdminToken)
	nginx := `[data-testid=approval-row][data-image="docker.io/library/nginx"]`
	p.waitFor("the request shows its progress", `(document.querySelector('`+nginx+` [data-testid=approval-progress]') || {}).textContent === '1 of 2 approvals'`)
	p.click(nginx + " [data-testid=approve-deploy]")
	p.waitFor("the request leaves the queue", "!("+exists(nginx)+")")
	mu.Lock()
	defer mu.Unlock()
	if len(deployed) != 1 || deployed[0] != list.Items[0].ID {
		t.Fatalf("deploy asked for %v, want [%d]", deployed, list.Items[0].ID)
	}
}
