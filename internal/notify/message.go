package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
)

// Event types worth telling people about.
const (
	ApprovalRequested = "image.approval_requested"
	ApprovalApproved  = "image.approval_approved"
	ApprovalRejected  = "image.approval_rejected"
	ApprovalExpiring  = "image.approval_expiring"
	RolloutCompleted  = "image.rollout_completed"
	RolloutFailed     = "image.rollout_failed"
	RolloutRolledBack = "image.rollout_rolled_back"
)

// Notable reports whether events of type typ are notified at all.
func Notable(typ string) bool {
	switch typ {
	case RolloutCompleted, RolloutFailed, RolloutRolledBack:
		return true
	}
	return approvalEvent(typ)
}

// approvalEvent reports whether typ is an approval request raised,
// decided or about to expire: what approvers are emailed.
func approvalEvent(typ string) bool {
	switch typ {
	case ApprovalRequested, ApprovalApproved, ApprovalRejected, ApprovalExpiring:
		return true
	}
	return false
}

// message is an event told to people: a title and a few lines of text.
type message struct {
	Title string
	Text  string
}

// describe words an event of a notable type; publicURL, when known, makes links.
func describe(e airlock.Event, publicURL string) message {
	if approvalEvent(e.Type) {
		return describeApproval(e, publicURL)
	}
	var r struct {
		ID           int64  `json:"rollout_id"`
		Image        string `json:"image"`
		TotalDevices int    `json:"total_devices"`
		Reason       string `json:"reason"`
	}
	json.Unmarshal(e.Payload, &r)
	var m message
	switch e.Type {
	case RolloutCompleted:
		m.Title = fmt.Sprintf("Rollout %d completed: %s", r.ID, r.Image)
		m.Text = fmt.Sprintf("Rollout %d of %s completed on %d device(s).", r.ID, r.Image, r.TotalDevices)
	case RolloutFailed:
		m.Title = fmt.Sprintf("Rollout %d failed: %s", r.ID, r.Image)
		m.Text = fmt.Sprintf("Rollout %d of %s failed and stopped.", r.ID, r.Image)
	case RolloutRolledBack:
		m.Title = fmt.Sprintf("Rollout %d rolled back: %s", r.ID, r.Image)
		m.Text = fmt.Sprintf("Rollout %d of %s was rolled back: its devices were given their previous image again.", r.ID, r.Image)
	}
	if r.Reason != "" {
		m.Text += " Reason: " + r.Reason
	}
	if publicURL != "" {
		m.Text += fmt.Sprintf("\nDetails: %s/api/v1/rollouts/%d", publicURL, r.ID)
	}
	return m
}

func describeApproval(e airlock.Event, publicURL string) message {
	var a airlock.ApprovalRequest
	json.Unmarshal(e.Payload, &a)
	image := imageref.Ref{Registry: a.Registry, Namespace: a.Namespace, Name: a.ImageName}.Repository()
	if a.Tag != "" {
		image += ":" + a.Tag
	}
	m := message{Title: "Approval requested: " + image,
		Text: fmt.Sprintf("A push of %s (from %s) was refused: the image is not in the approved registry. "+
			"Approval request %d waits for an approver.", image, a.Source, a.ID)}
	switch e.Type {
	case ApprovalApproved, ApprovalRejected:
		m.Title = fmt.Sprintf("Approval request %d %s: %s", a.ID, a.Status, image)
		m.Text = fmt.Sprintf("Approval request %d for %s was %s by %s.", a.ID, image, a.Status, deref(a.DecidedBy))
	case ApprovalExpiring:
		m.Title = "Approval request about to expire: " + image
		m.Text = fmt.Sprintf("Approval request %d for %s expires at %s with %d of %d approvals.", a.ID, image,
			deref(a.ExpiresAt).UTC().Format(time.RFC3339), a.Approvals, a.Required)
	}
	if a.Pusher != "" {
		m.Text += " Pushed by " + a.Pusher + "."
	}
	if publicURL != "" {
		m.Text += fmt.Sprintf("\nOpen: %s/#/approvals?status=all", publicURL)
	}
	if publicURL != "" && e.Type != ApprovalApproved && e.Type != ApprovalRejected {
		m.Text += fmt.Sprintf("\nApprove: POST %s/api/v1/approval-requests/%d/approve"+
			"\nReject:  POST %s/api/v1/approval-requests/%d/reject", publicURL, a.ID, publicURL, a.ID)
	}
	return m
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}
