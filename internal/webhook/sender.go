package webhook

import (
	"slices"
	"strconv"
)

// Sender is who a delivery's credential speaks for: a declared registry,
// by its own secret, or whoever holds the global webhook secret.
type Sender struct {
	RegistryID int64    // 0 for the global secret
	Host       string   // the registry's canonical host[:port]
	Aliases    []string // other spellings of the same host
}

// Global reports whether the sender holds the global secret, not a
// registry's own.
func (s Sender) Global() bool { return s.RegistryID == 0 }

// Key is the sender as the rate limiter and the delivery log tell senders
// apart: "registry/<id>" or "global".
func (s Sender) Key() string {
	if s.Global() {
		return "global"
	}
	return "registry/" + strconv.FormatInt(s.RegistryID, 10)
}

// Trust is what a push's sender may make of it.
type Trust int

const (
	// Trusted: the credential vouches for the host the push names.
	Trusted Trust = iota + 1
	// Unvouched: the global secret, for a host the pusher named (Distribution,
	// Harbor) or a declared registry's host. It may ask for approval; it
	// never deploys.
	Unvouched
	// Mismatch: a registry's own secret, for a push naming another host.
	Mismatch
)

// hostFromPusher are the formats whose registry host comes from the
// pushing client's request, not from the sender itself.
var hostFromPusher = map[string]bool{"distribution": true, "harbor": true}

// Vouch decides what s may say about p, and rewrites p's registry to its
// canonical host when the push names one of its aliases. declared tells
// whether the host the push names belongs to a declared registry.
func Vouch(s Sender, p Push, declared bool) (Push, Trust) {
	host := p.Ref.Registry
	switch {
	case !s.Global() && (host == s.Host || slices.Contains(s.Aliases, host)):
		p.Ref.Registry = s.Host
		return p, Trusted
	case !s.Global():
		return p, Mismatch
	case hostFromPusher[p.Source] || declared:
		return p, Unvouched
	}
	return p, Trusted
}

// Answers2xx reports whether refusals are answered 2xx, the verdict in the
// body: for a registry's own secret, and for Distribution whatever the
// secret, as both retry anything else for ever. The global secret's other
// formats keep the guide's 403.
func Answers2xx(s Sender, source string) bool {
	return !s.Global() || source == "distribution"
}
