package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// TestApprovalDecisionsAndExpiryAreNotified: a request decided or about
// to expire is told to webhooks and email, with a link to the request.
func TestApprovalDecisionsAndExpiryAreNotified(t *testing.T) {
	bob, at := "bob", time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	req := airlock.ApprovalRequest{ID: 7, Registry: "ghcr.io", Namespace: "acme", ImageName: "gateway", Tag: "v1",
		Status: "approved", DecidedBy: &bob, Pusher: "alice", ExpiresAt: &at, Approvals: 1, Required: 2}
	payload, _ := json.Marshal(req)
	want := map[string][]string{
		ApprovalApproved: {"Approval request 7 approved: ghcr.io/acme/gateway:v1", "approved by bob", "Pushed by alice", "https://airlock.lab/#/approvals"},
		ApprovalExpiring: {"about to expire", "2026-12-02T09:00:00Z with 1 of 2 approvals", "/api/v1/approval-requests/7/approve"},
	}
	for typ, parts := range want {
		if !Notable(typ) || !(&emailSink{}).wants(typ) {
			t.Errorf("%s is not notified", typ)
		}
		m := describe(airlock.Event{Type: typ, Payload: payload}, "https://airlock.lab")
		for _, p := range parts {
			if !strings.Contains(m.Title+"\n"+m.Text, p) {
				t.Errorf("%s: %q lacks %q", typ, m.Title+"\n"+m.Text, p)
			}
		}
	}
}
