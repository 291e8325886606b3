package rules

import (
	"slices"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Approval request statuses.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
	StatusExpired  = "expired"
)

// Verdicts of a decision.
const (
	VerdictApprove = "approve"
	VerdictReject  = "reject"
)

// ApprovalRequest is a release's request for approval and every decision
// on it so far.
type ApprovalRequest struct {
	RequestedAt time.Time  `json:"requested_at"`
	Pusher      string     `json:"pusher,omitempty"` // the registry's actor or GHCR's sender
	Decisions   []Decision `json:"decisions"`
}

// Decision is one approver's verdict.
type Decision struct {
	By      string    `json:"by"`              // the token's name
	Roles   []string  `json:"roles,omitempty"` // the token's role(s)
	At      time.Time `json:"at"`
	Verdict string    `json:"verdict"`
	Reason  string    `json:"reason,omitempty"`
}

// ApprovalState sums up a request under an approvals rule.
type ApprovalState struct {
	Status    string    `json:"status"`
	Approvals int       `json:"approvals"`
	Required  int       `json:"required"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero: never
}

// State decides a request: one rejection by an eligible approver rejects;
// Required distinct eligible approvals approve; a request still pending
// past expires_after has expired.
func State(rule *Approvals, req ApprovalRequest, now time.Time) ApprovalState {
	st := ApprovalState{Status: StatusPending, Required: max(rule.Required, 1)}
	if d, _ := parseDuration("expires_after", rule.ExpiresAfter); d > 0 {
		st.ExpiresAt = req.RequestedAt.Add(d)
	}
	var approvers []string
	for _, d := range req.Decisions {
		if !eligible(rule, req.Pusher, d) {
			continue
		}
		if d.Verdict == VerdictReject {
			st.Status = StatusRejected
		} else if d.Verdict == VerdictApprove && !slices.Contains(approvers, d.By) {
			approvers = append(approvers, d.By)
		}
	}
	st.Approvals = len(approvers)
	switch {
	case st.Status == StatusRejected:
	case st.Approvals >= st.Required:
		st.Status = StatusApproved
	case !st.ExpiresAt.IsZero() && !now.Before(st.ExpiresAt):
		st.Status = StatusExpired
	}
	return st
}

// eligible says whether d counts under rule: by a listed approver (any,
// if none is listed) and, under separate duties, not by the pusher.
func eligible(rule *Approvals, pusher string, d Decision) bool {
	if rule.SeparateDuties && pusher != "" && d.By == pusher {
		return false
	}
	if len(rule.Approvers) == 0 {
		return true
	}
	return slices.Contains(rule.Approvers, d.By) ||
		slices.ContainsFunc(d.Roles, func(r string) bool { return slices.Contains(rule.Approvers, r) })
}

// CanDecide says whether d may be added to req under rule: nil, an
// EFORBIDDEN (the pusher under separate duties, or not a listed
// approver), or an ECONFLICT (a second decision by the same identity, or a
// request already decided or expired).
func CanDecide(rule *Approvals, req ApprovalRequest, d Decision, now time.Time) error {
	switch {
	case d.Verdict != VerdictApprove && d.Verdict != VerdictReject:
		return airlock.FieldErrorf("verdict", "must be %s or %s", VerdictApprove, VerdictReject)
	case d.By == "":
		return airlock.FieldErrorf("by", "must name the approver")
	case rule.SeparateDuties && req.Pusher != "" && d.By == req.Pusher:
		return &airlock.Error{Code: airlock.EFORBIDDEN, Title: "Separation of duties",
			Message: "the pusher of a release may not decide its approval"}
	case !eligible(rule, req.Pusher, d):
		return &airlock.Error{Code: airlock.EFORBIDDEN, Title: "Not an approver",
			Message: "this rule's approvers do not include " + d.By}
	}
	if slices.ContainsFunc(req.Decisions, func(p Decision) bool { return p.By == d.By }) {
		return airlock.Errorf(airlock.ECONFLICT, "%s has already decided this request", d.By)
	}
	if st := State(rule, req, now); st.Status != StatusPending {
		return airlock.Errorf(airlock.ECONFLICT, "the request is %s", st.Status)
	}
	return nil
}
