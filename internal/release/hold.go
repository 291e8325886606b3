package release

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rules"
)

// Held returns r held for the reason given (a Platforms or cost.CheckLimits
// reason). Only a ready release, or one held for the same kind, is held:
// resolving, refused and known-bad releases keep their state.
func Held(r Release, h Hold, reason string) Release {
	if r.Status == StatusReady || (r.Status == StatusHeld && r.Hold == h) {
		r.Status, r.Hold, r.Reason = StatusHeld, h, reason
	}
	return r
}

// Lift makes a release held for h ready again (an approver released a cost
// hold; the missing platform was pushed). ok is false if r was not held
// for h.
func Lift(r Release, h Hold, reason string) (Release, bool) {
	if r.Status != StatusHeld || r.Hold != h {
		return r, false
	}
	r.Status, r.Hold, r.Reason = StatusReady, HoldNone, reason
	return r, true
}

// FromRules applies the supply-chain rules' outcome to a release that is
// ready or held by rules: allowed makes it ready, held holds it naming
// what it waits for, refused refuses it naming the rule. A release in any
// other state is returned as it is: rules do not clear a known-bad hold.
func FromRules(r Release, o rules.Outcome) Release {
	if r.Status != StatusReady && (r.Status != StatusHeld || r.Hold != HoldRules) {
		return r
	}
	switch o.Status {
	case rules.Allowed:
		r.Status, r.Hold, r.Reason = StatusReady, HoldNone, "every rule passed"
	case rules.Held:
		r.Status, r.Hold, r.Reason = StatusHeld, HoldRules, "waiting for "+strings.Join(waitingFor(o), "; ")
	case rules.Refused:
		r.Status, r.Hold = StatusRefused, HoldNone
		r.Reason = "refused by rule " + o.Rule
		for _, v := range o.Verdicts {
			if v.Rule == o.Rule && v.Result == rules.Fail {
				r.Reason += ": " + v.Reason
				break
			}
		}
	}
	return r
}

func waitingFor(o rules.Outcome) []string {
	var out []string
	for _, v := range o.Verdicts {
		if v.Result != rules.Wait || v.Mode == rules.ModeWarn {
			continue
		}
		what := v.WaitingFor
		if what == "" {
			what = v.Reason
		}
		out = append(out, fmt.Sprintf("%s (rule %s)", what, v.Rule))
	}
	return out
}

// ValidatePush checks what a caller (an admin's manual release, a decoder)
// gives, as EINVALID errors naming the field.
func ValidatePush(p Push) error {
	if err := imageref.ValidTag(p.Tag); err != nil {
		return err
	}
	if p.Digest != "" {
		if err := imageref.ValidDigest(p.Digest); err != nil {
			return err
		}
	}
	switch {
	case p.Source != SourceWebhook && p.Source != SourcePoll && p.Source != SourceManual:
		return airlock.FieldErrorf("source", "must be webhook, poll or manual")
	case len(p.Pusher) > 256 || !utf8.ValidString(p.Pusher) || strings.ContainsRune(p.Pusher, 0):
		return airlock.FieldErrorf("pusher", "must be valid UTF-8 of at most 256 bytes, without NUL")
	case len(p.MediaType) > 255 || strings.IndexFunc(p.MediaType, isNotPrint) >= 0:
		return airlock.FieldErrorf("media_type", "must be printable ASCII of at most 255 bytes")
	case p.Registry == "" || p.Name == "":
		return airlock.FieldErrorf("image", "must name a registry and an image")
	}
	return nil
}

func isNotPrint(r rune) bool { return r < 0x20 || r > 0x7e }
