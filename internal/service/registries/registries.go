// Package registries declares the registries Airlock takes pushes from and
// keeps their webhook secrets.
package registries

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// Input declares a registry.
type Input struct {
	Host     string   `json:"host"`
	Aliases  []string `json:"aliases"`
	Kind     string   `json:"kind"`
	Insecure bool     `json:"insecure"`
	Username string   `json:"username"`
	Password string   `json:"password"`
	// PollInterval polls the registry's tags this often ("5m"); "" never.
	PollInterval string `json:"poll_interval"`
	// Mirror declares the fleet's mirror (at most one registry).
	Mirror bool `json:"mirror"`
}

// Update changes a registry; nil fields stay as they are. The host
// cannot change: images and deliveries are recorded under it.
type Update struct {
	Aliases  *[]string `json:"aliases"`
	Kind     *string   `json:"kind"`
	Insecure *bool     `json:"insecure"`
	Username *string   `json:"username"`
	Password *string   `json:"password"`
	// PollInterval: "" or "0" stops polling.
	PollInterval *string `json:"poll_interval"`
	Mirror       *bool   `json:"mirror"`
}

// tokenInURL are the kinds whose senders cannot set a header: their
// webhook URL carries the secret as ?token=.
var tokenInURL = map[string]bool{"dockerhub": true, "quay": true, "ghcr": true}

// Registries are the registry use cases over one database.
type Registries struct {
	DB *store.DB
	// NewSecret makes a random secret with a prefix that says what it is.
	NewSecret func(prefix string, n int) string
}

func (s Registries) newWebhookSecret() string { return s.NewSecret("whr_", 24) }

// Create declares a registry and makes its webhook secret, which
// the answer shows this once, with the URL to configure: base is where
// registries reach this server.
func (s Registries) Create(ctx context.Context, actor, base string, in Input) (airlock.Registry, error) {
	host, err := imageref.CanonicalHost("host", in.Host)
	if err != nil {
		return airlock.Registry{}, err
	}
	r := airlock.Registry{Host: host, Kind: in.Kind, Insecure: in.Insecure, Username: in.Username, Password: in.Password,
		PollInterval: in.PollInterval, Mirror: in.Mirror}
	if r.Aliases, err = canonicalAliases(host, in.Aliases); err != nil {
		return r, err
	}
	if err := validateRegistry(r); err != nil {
		return r, err
	}
	secret := s.newWebhookSecret()
	err = s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		if err := oneMirror(ctx, tx, r); err != nil {
			return err
		}
		r, err = catalog.CreateRegistry(ctx, tx, r, store.HashSecret(secret))
		return err
	})
	return withSecret(r, base, secret), err
}

// Update applies in to registry id.
func (s Registries) Update(ctx context.Context, actor string, id int64, in Update) (airlock.Registry, error) {
	var r airlock.Registry
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if r, err = catalog.RegistryForUpdate(ctx, tx, id); err != nil {
			return err
		}
		if in.Aliases != nil {
			if r.Aliases, err = canonicalAliases(r.Host, *in.Aliases); err != nil {
				return err
			}
		}
		setIf(&r.Kind, in.Kind)
		setIf(&r.Insecure, in.Insecure)
		setIf(&r.Username, in.Username)
		setIf(&r.Password, in.Password)
		setIf(&r.PollInterval, in.PollInterval)
		setIf(&r.Mirror, in.Mirror)
		if err := validateRegistry(r); err != nil {
			return err
		}
		if err := oneMirror(ctx, tx, r); err != nil {
			return err
		}
		r, err = catalog.UpdateRegistry(ctx, tx, r)
		return err
	})
	return r, err
}

// RotateSecret gives a registry a new webhook secret, shown this
// once; the old one stops working at once.
func (s Registries) RotateSecret(ctx context.Context, actor, base string, id int64) (airlock.Registry, error) {
	secret := s.newWebhookSecret()
	var r airlock.Registry
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		r, err = catalog.SetRegistrySecret(ctx, tx, id, store.HashSecret(secret))
		return err
	})
	return withSecret(r, base, secret), err
}

// Delete removes a registry declaration.
func (s Registries) Delete(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return catalog.DeleteRegistry(ctx, tx, id) })
}

// List lists the declared registries.
func (s Registries) List(ctx context.Context) ([]airlock.Registry, error) {
	return catalog.Registries(ctx, s.DB)
}

// Get returns one declared registry.
func (s Registries) Get(ctx context.Context, id int64) (airlock.Registry, error) {
	return catalog.Registry(ctx, s.DB, id)
}

// withSecret puts the new secret, and the webhook URL to use it with, in
// the answer that made it.
func withSecret(r airlock.Registry, base, secret string) airlock.Registry {
	r.WebhookSecret = secret
	r.WebhookURL = strings.TrimSuffix(base, "/") + "/api/v1/webhooks/" + r.Kind
	if tokenInURL[r.Kind] {
		r.WebhookURL += "?token=" + secret
	}
	return r
}

func canonicalAliases(host string, in []string) ([]string, error) {
	if len(in) > 20 {
		return nil, airlock.FieldErrorf("aliases", "at most 20 aliases")
	}
	out := []string{}
	for _, a := range in {
		c, err := imageref.CanonicalHost("aliases", a)
		if err != nil {
			return nil, err
		}
		if c == host {
			return nil, airlock.FieldErrorf("aliases", "alias %q is the registry's own host", a)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, nil
}

func validateRegistry(r airlock.Registry) error {
	switch {
	case !slices.Contains(airlock.RegistryKinds, r.Kind):
		return airlock.FieldErrorf("kind", "must be one of %s, got %q", strings.Join(airlock.RegistryKinds, ", "), r.Kind)
	case len(r.Username) > 256:
		return airlock.FieldErrorf("username", "must be at most 256 characters")
	case len(r.Password) > 4096:
		return airlock.FieldErrorf("password", "must be at most 4096 characters")
	case r.Password != "" && r.Username == "":
		return airlock.FieldErrorf("username", "is required with a password")
	}
	return validPoll(r.PollInterval)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// MinPollInterval is the shortest poll interval a registry may ask for.
const MinPollInterval = time.Second

func validPoll(s string) error {
	if s == "" || s == "0" {
		return nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return airlock.FieldErrorf("poll_interval", "must be a duration such as 5m, got %q", s)
	case d != 0 && (d < MinPollInterval || d > 24*time.Hour):
		return airlock.FieldErrorf("poll_interval", "must be between 1s and 24h, or 0 for never")
	}
	return nil
}

// oneMirror refuses a second mirror: devices are sent one mirror's reference.
func oneMirror(ctx context.Context, tx *store.Tx, r airlock.Registry) error {
	if !r.Mirror {
		return nil
	}
	m, err := catalog.MirrorRegistry(ctx, tx, r.ID)
	switch {
	case err == nil:
		e := airlock.Errorf(airlock.ECONFLICT, "registry %s is the mirror already: at most one registry is", m.Host)
		e.Field = "mirror"
		return e
	case airlock.ErrorCode(err) != airlock.ENOTFOUND:
		return err
	}
	return nil
}
