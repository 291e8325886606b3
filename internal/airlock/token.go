package airlock

import "time"

// Roles, weakest first. Scanner and CI tokens rank below viewer: they
// may only post scan reports or check results (and admins may too).
const (
	RoleViewer   = "viewer"
	RoleApprover = "approver"
	RoleAdmin    = "admin"
	RoleScanner  = "scanner"
	RoleCI       = "ci"
)

// Roles lists every role.
var Roles = []string{RoleViewer, RoleApprover, RoleAdmin, RoleScanner, RoleCI}

// RoleRank orders roles so that a route can require "at least" one.
func RoleRank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleApprover:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Token is an API token; only its SHA-256 is stored.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Secret     string     `json:"token,omitempty"` // only in the answer that creates it
}
