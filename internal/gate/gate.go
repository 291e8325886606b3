// Package gate is the approval decision table of DESIGN §4: given what the
// image catalogue holds for a pushed image, it decides whether the push may
// become a rollout and what the intake must write.
package gate

import (
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
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
	// Unvouched: the sender cannot vouch for the registry the push names
	// (the global secret, a host the pusher chose). Such a push may ask
	// for approval; nothing it claims can deploy.
	Unvouched bool
	Host      string // the registry host, for the unvouched answer
	// ReleaseScope: the image's approval_scope is release, so each digest
	// needs its own approval and no tag is auto-added; DigestApproved says
	// whether the pushed digest has one.
	ReleaseScope, DigestApproved bool
	// Rules is the supply-chain rules' outcome for the pushed release
	// (internal/service/supply's Checker); nil when none was evaluated.
	Rules *rules.Outcome
}

// Decision is the gate's answer. Err is set exactly when Allowed is false.
type Decision struct {
	Outcome         Outcome
	Allowed         bool
	AddTag          bool // auto-add Tag (is_recommended=false, source webhook)
	RequestApproval bool // create or bump the pending approval request
	// Held: a rule waits for evidence (a signature, a scan report, time);
	// the release is kept and evaluated again when it arrives.
	Held bool
	Err  *airlock.Error
}

// Decide applies the table row by row; the first row that fits wins. An
// empty Tag is a reference pinned by digest alone: no tag row applies.
// What the table allows must then pass the supply-chain rules.
func Decide(in Input) Decision {
	d := decideTable(in)
	if d.Allowed && in.Rules != nil {
		return decideRules(d, *in.Rules)
	}
	return d
}

func decideTable(in Input) Decision {
	if in.Unvouched {
		return decideUnvouched(in)
	}
	switch {
	case in.Internal:
		return Decision{Outcome: Internal, Allowed: true}
	case !in.Found:
		return Decision{Outcome: NotInRegistry, RequestApproval: true,
			Err: notApproved(fmt.Sprintf("Image '%s' is not in the approved registry", in.Image))}
	case in.Status != airlock.StatusApproved:
		return Decision{Outcome: NotApproved, Err: notApproved(statusMessage(in.Image, in.Status))}
	case in.ReleaseScope && (!in.DigestApproved || (in.Tag != "" && !in.TagFound)):
		return Decision{Outcome: ReleaseNotApproved, RequestApproval: true, Err: notApproved(
			fmt.Sprintf("This release of image '%s' awaits approval: each of its releases is approved on its own", in.Image))}
	case in.Tag == "":
		return Decision{Outcome: Approved, Allowed: true}
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

// decideUnvouched is the table for a sender that cannot vouch for the
// registry: asking for approval is harmless, so an unknown image still
// raises a request; everything else is refused, an internal name and an
// approved image alike.
func decideUnvouched(in Input) Decision {
	if !in.Internal && !in.Found {
		d := Decide(Input{Image: in.Image, Tag: in.Tag})
		d.Err.Extra["registry"] = unvouchedNote(in.Host)
		return d
	}
	if in.Found && !in.Internal && in.Status != airlock.StatusApproved {
		return Decision{Outcome: NotApproved, Err: notApproved(statusMessage(in.Image, in.Status))}
	}
	return Decision{Outcome: Unvouched, Err: &airlock.Error{
		Code:    airlock.EFORBIDDEN,
		Title:   "Registry not verified",
		Message: fmt.Sprintf("Image '%s' was pushed to %s, which this webhook's secret cannot vouch for", in.Image, in.Host),
		Extra:   map[string]any{"action_required": unvouchedNote(in.Host)},
	}}
}

func unvouchedNote(host string) string {
	return fmt.Sprintf("Declare the registry %s (POST /api/v1/registries) and send its webhooks with its own secret; until then its pushes never deploy", host)
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
