// Package gate is the approval decision table of DESIGN §4: given what the
// image catalogue holds for a pushed image, it decides whether the push may
// become a rollout and what the intake must write.
package gate

import (
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Input is what the catalogue holds for one pushed image and tag.
type Input struct {
	Image         string // familiar name for messages: "redis", "portainer/portainer-ce"
	Tag           string
	Internal      bool   // the image has a configured internal prefix
	Found         bool   // an images row exists for the normalised (registry, namespace, name)
	Status        string // its approval_status: pending|approved|rejected
	TagFound      bool   // an image_tags row exists for Tag
	TagDeprecated bool   // that row is deprecated
}

// Decision is the gate's answer. Err is set exactly when Allowed is false.
type Decision struct {
	Outcome         Outcome
	Allowed         bool
	AddTag          bool // auto-add Tag (is_recommended=false, source webhook)
	RequestApproval bool // create or bump the pending approval request
	Err             *airlock.Error
}

// Decide applies the table row by row; the first row that fits wins.
func Decide(in Input) Decision {
	switch {
	case in.Internal:
		return Decision{Outcome: Internal, Allowed: true}
	case !in.Found:
		return Decision{Outcome: NotInRegistry, RequestApproval: true,
			Err: notApproved(fmt.Sprintf("Image '%s' is not in the approved registry", in.Image))}
	case in.Status != airlock.StatusApproved:
		return Decision{Outcome: NotApproved, Err: notApproved(statusMessage(in.Image, in.Status))}
	case !in.TagFound:
		return Decision{Outcome: ApprovedNewTag, Allowed: true, AddTag: true}
	case in.TagDeprecated:
		return Decision{Outcome: TagDeprecated, Err: &airlock.Error{
			Code:    airlock.EFORBIDDEN,
			Title:   "Tag deprecated",
			Message: fmt.Sprintf("Tag '%s' for image '%s' is marked as deprecated", in.Tag, in.Image),
		}}
	default:
		return Decision{Outcome: Approved, Allowed: true}
	}
}

// statusMessage tells a pending image from a rejected one; both are refused alike.
func statusMessage(image, status string) string {
	switch status {
	case airlock.StatusPending:
		return fmt.Sprintf("Image '%s' is awaiting approval in the image registry", image)
	case airlock.StatusRejected:
		return fmt.Sprintf("Image '%s' has been rejected in the image registry", image)
	default:
		return fmt.Sprintf("Image '%s' is not approved in the image registry", image)
	}
}

func notApproved(message string) *airlock.Error {
	return &airlock.Error{
		Code:    airlock.EFORBIDDEN,
		Title:   "Image not approved",
		Message: message,
		Extra:   map[string]any{"action_required": "Admin must approve this image before deployment"},
	}
}
