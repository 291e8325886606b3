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
}

// ApprovalFilter selects approval requests for listing.
type ApprovalFilter struct {
	Status        string
	Limit, Offset int
}
