package airlock

import "time"

// Approval statuses of images and approval requests.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// Approval scopes of an image: approving it approves every later push
// (image), or each new digest needs its own approval (release).
const (
	ApprovalScopeImage   = "image"
	ApprovalScopeRelease = "release"
)

// ApprovalScopes lists every approval scope.
var ApprovalScopes = []string{ApprovalScopeImage, ApprovalScopeRelease}

// Tag sources.
const (
	SourceAdmin   = "admin"
	SourceWebhook = "webhook"
)

// Image is an entry of the approved-image registry.
type Image struct {
	ID             int64      `json:"id"`
	Registry       string     `json:"registry"`
	Namespace      string     `json:"namespace"`
	ImageName      string     `json:"image_name"`
	Description    string     `json:"description"`
	Category       string     `json:"category"`
	IsOfficial     bool       `json:"is_official"`
	ApprovalStatus string     `json:"approval_status"`
	ApprovedBy     *string    `json:"approved_by"`
	ApprovedAt     *time.Time `json:"approved_at"`
	ApprovalScope  string     `json:"approval_scope"` // image|release
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Tags           []Tag      `json:"tags,omitempty"`
}

// Tag is one tag of an image, with its recommended/deprecated flags.
type Tag struct {
	ID               int64     `json:"id"`
	ImageID          int64     `json:"image_id"`
	Tag              string    `json:"tag"`
	Digest           string    `json:"digest"`
	Architecture     string    `json:"architecture"`
	IsRecommended    bool      `json:"is_recommended"`
	IsDeprecated     bool      `json:"is_deprecated"`
	DeprecatedReason string    `json:"deprecated_reason"`
	Source           string    `json:"source"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// ImageFilter selects images for listing.
type ImageFilter struct {
	Search, Status, Category, Registry string
	Limit, Offset                      int
}

// Category is a category with the number of images in it.
type Category struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}
