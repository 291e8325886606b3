package rules

import (
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func decide(t *testing.T, rule *Approvals, req *ApprovalRequest, by, verdict, wantCode string) {
	t.Helper()
	d := Decision{By: by, Roles: []string{airlock.RoleApprover}, At: now, Verdict: verdict}
	err := CanDecide(rule, *req, d, now)
	if got := codeOf(err); got != wantCode {
		t.Fatalf("%s %s: got %v, want code %q", by, verdict, err, wantCode)
	}
	if err == nil {
		req.Decisions = append(req.Decisions, d)
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return airlock.ErrorCode(err)
}

// The acceptance of issue 17: a 2-of-N rule with separation of duties.
func TestApprovalsSeparateDuties(t *testing.T) {
	rule := &Approvals{Required: 2, SeparateDuties: true}
	req := &ApprovalRequest{RequestedAt: now.Add(-time.Minute), Pusher: "alice"}
	decide(t, rule, req, "alice", VerdictApprove, airlock.EFORBIDDEN)
	decide(t, rule, req, "bob", VerdictApprove, "")
	if st := State(rule, *req, now); st.Status != StatusPending || st.Approvals != 1 || st.Required != 2 {
		t.Fatalf("after bob: %+v", st)
	}
	decide(t, rule, req, "bob", VerdictApprove, airlock.ECONFLICT)
	decide(t, rule, req, "carol", VerdictApprove, "")
	if st := State(rule, *req, now); st.Status != StatusApproved || st.Approvals != 2 {
		t.Fatalf("after carol: %+v", st)
	}
	decide(t, rule, req, "dave", VerdictReject, airlock.ECONFLICT)
}

func TestApprovalsExpiry(t *testing.T) {
	rule := &Approvals{Required: 1, ExpiresAfter: "48h"}
	req := &ApprovalRequest{RequestedAt: now.Add(-48 * time.Hour)}
	st := State(rule, *req, now)
	if st.Status != StatusExpired || !st.ExpiresAt.Equal(now) {
		t.Fatalf("at expiry: %+v", st)
	}
	decide(t, rule, req, "bob", VerdictApprove, airlock.ECONFLICT)
	if st := State(rule, *req, now.Add(-time.Nanosecond)); st.Status != StatusPending {
		t.Fatalf("just before expiry: %+v", st)
	}
}

func TestApprovalsState(t *testing.T) {
	at := now.Add(-time.Hour)
	d := func(by, verdict string, roles ...string) Decision {
		return Decision{By: by, Roles: roles, At: at, Verdict: verdict}
	}
	tests := []struct {
		name      string
		rule      Approvals
		decisions []Decision
		status    string
		approvals int
	}{
		{"none", Approvals{Required: 1}, nil, StatusPending, 0},
		{"one approves", Approvals{Required: 1}, []Decision{d("bob", VerdictApprove)}, StatusApproved, 1},
		{"one rejection rejects", Approvals{Required: 1}, []Decision{d("bob", VerdictApprove), d("carol", VerdictReject)}, StatusRejected, 1},
		{"same approver counts once", Approvals{Required: 2}, []Decision{d("bob", VerdictApprove), d("bob", VerdictApprove)}, StatusPending, 1},
		{"approver by name", Approvals{Required: 1, Approvers: []string{"carol"}}, []Decision{d("bob", VerdictApprove), d("carol", VerdictApprove)}, StatusApproved, 1},
		{"approver by role", Approvals{Required: 1, Approvers: []string{"admin"}}, []Decision{d("bob", VerdictApprove, "admin")}, StatusApproved, 1},
		{"ineligible rejection ignored", Approvals{Required: 1, Approvers: []string{"carol"}}, []Decision{d("bob", VerdictReject)}, StatusPending, 0},
		{"pusher's approval ignored", Approvals{Required: 1, SeparateDuties: true}, []Decision{d("alice", VerdictApprove)}, StatusPending, 0},
		{"pusher may approve without separation", Approvals{Required: 1}, []Decision{d("alice", VerdictApprove)}, StatusApproved, 1},
		{"approved stays approved past expiry", Approvals{Required: 1, ExpiresAfter: "1h"}, []Decision{d("bob", VerdictApprove)}, StatusApproved, 1},
	}
	for _, tt := range tests {
		req := ApprovalRequest{RequestedAt: now.Add(-2 * time.Hour), Pusher: "alice", Decisions: tt.decisions}
		if st := State(&tt.rule, req, now); st.Status != tt.status || st.Approvals != tt.approvals {
			t.Errorf("%s: %+v", tt.name, st)
		}
	}
}

func TestCanDecideRefusals(t *testing.T) {
	rule := &Approvals{Required: 1, Approvers: []string{"carol", "admin"}}
	req := ApprovalRequest{RequestedAt: now}
	tests := []struct {
		d    Decision
		code string
	}{
		{Decision{By: "bob", Verdict: VerdictApprove}, airlock.EFORBIDDEN},
		{Decision{By: "bob", Roles: []string{"admin"}, Verdict: VerdictApprove}, ""},
		{Decision{By: "carol", Verdict: "maybe"}, airlock.EINVALID},
		{Decision{Verdict: VerdictApprove}, airlock.EINVALID},
	}
	for _, tt := range tests {
		if got := codeOf(CanDecide(rule, req, tt.d, now)); got != tt.code {
			t.Errorf("%+v: got %q, want %q", tt.d, got, tt.code)
		}
	}
}

func TestEvaluateApprovals(t *testing.T) {
	r := rule(t, `{"name":"two","image_pattern":"ghcr.io/acme/*","kind":"approvals","required":2,"expires_after":"24h"}`)
	req := &ApprovalRequest{RequestedAt: now.Add(-time.Hour), Decisions: []Decision{{By: "bob", At: now, Verdict: VerdictApprove}}}
	v := Evaluate([]Rule{r}, release(), Evidence{Approval: req}, now).Verdicts[0]
	if v.Result != Wait || v.WaitingFor != "1 more approval" {
		t.Fatalf("one of two: %+v", v)
	}
	req.Decisions = append(req.Decisions, Decision{By: "carol", At: now, Verdict: VerdictApprove})
	if v := Evaluate([]Rule{r}, release(), Evidence{Approval: req}, now).Verdicts[0]; v.Result != Pass {
		t.Fatalf("two of two: %+v", v)
	}
	req.Decisions = req.Decisions[:1]
	if out := Evaluate([]Rule{r}, release(), Evidence{Approval: req}, now.Add(24*time.Hour)); out.Status != Refused {
		t.Fatalf("expired: %+v", out)
	}
	req.Decisions = append(req.Decisions, Decision{By: "dave", At: now, Verdict: VerdictReject})
	if out := Evaluate([]Rule{r}, release(), Evidence{Approval: req}, now); out.Status != Refused || out.Rule != "two" {
		t.Fatalf("rejected: %+v", out)
	}
}
