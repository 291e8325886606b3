package airlock

import "time"

// ApprovalRequest asks an admin to approve an image a registry pushed before
// anyone approved it. There is at most one pending request per image;
// repeated pushes bump it.
type ApprovalRequest struct {
	ID           int64      `json:"id"`
	Registry     string     `json:"registry"`
	Namespace    string     `json:"namespace"`
	ImageName    string     `json:"image_name"`
	Tag          string     `json:"tag"`
	TagsSeen     []string   `json:"tags_seen"`
	Status       string     `json:"status"`
	Source       string     `json:"source"`
	RequestCount int64      `json:"request_count"`
	FirstSeenAt  time.Time  `json:"first_seen_at"`
	LastSeenAt   time.Time  `json:"last_seen_at"`
	DecidedBy    *string    `json:"decided_by"`
	DecidedAt    *time.Time `json:"decided_at"`
	Reason       string     `json:"reason"`
	// Under an approvals rule (issue 17): who pushed, the digest a
	// release-scoped request is for, the rule, the approvals it needs, when
	// it expires and every decision so far.
	Pusher    string             `json:"pusher"`
	Digest    string             `json:"digest"`
	Rule      string             `json:"rule,omitempty"`
	Required  int                `json:"required"`
	Approvals int                `json:"approvals"`
	ExpiresAt *time.Time         `json:"expires_at"`
	Decisions []ApprovalDecision `json:"decisions"`
}

// ApprovalDecision is one approver's verdict on a request.
type ApprovalDecision struct {
	By      string    `json:"by"`
	Role    string    `json:"role,omitempty"`
	At      time.Time `json:"at"`
	Verdict string    `json:"verdict"` // approve|reject
	Reason  string    `json:"reason,omitempty"`
	Deploy  bool      `json:"deploy,omitempty"` // approve and deploy the release that raised it
}

// ApprovalFilter selects approval requests for listing.
type ApprovalFilter struct {
	Status        string
	Limit, Offset int
}
