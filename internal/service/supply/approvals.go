package supply

import (
	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// ApprovalOf is a stored request as rules judge it.
func ApprovalOf(a airlock.ApprovalRequest) *rules.ApprovalRequest {
	req := &rules.ApprovalRequest{RequestedAt: a.FirstSeenAt, Pusher: a.Pusher, Decisions: []rules.Decision{}}
	for _, d := range a.Decisions {
		var roles []string
		if d.Role != "" {
			roles = []string{d.Role}
		}
		req.Decisions = append(req.Decisions, rules.Decision{By: d.By, Roles: roles, At: d.At, Verdict: d.Verdict, Reason: d.Reason})
	}
	return req
}
