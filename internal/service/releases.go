package service

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/costs"
	"github.com/airlock-iot/airlock/internal/service/intake"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// ReleaseSettings configure releases, their registry clients and the
// resolver and poller. Every field may be left zero.
type ReleaseSettings struct {
	// Clients talk to the registries; nil asks none (every push rolls
	// out as it came). internal/app makes them; SyncRegistries keeps them current.
	Clients           *releases.Clients
	ResolveUndeclared bool          // see config.Config.ResolveUndeclared
	ResolveWait       time.Duration // the most a webhook waits for its registry; releases.DefaultResolveWait when zero
	ReleaseTick       time.Duration // the resolver's and poller's round; releases.DefaultTick when zero
	// ReleaseRules is the hook where supply-chain rules judge a ready
	// release before it rolls out (internal/rules); nil allows all.
	ReleaseRules func(ctx context.Context, tx *store.Tx, r release.Release) (*rules.Outcome, error)
	OnMirrored   func(bytes int64) // bytes copied into the mirror, for a metric; may be nil

	runner *releases.Runner
}

// DefaultRegistryConfig is what every registry client gets beside its
// host and credentials: a per-registry rate limit.
var DefaultRegistryConfig = registry.Config{RequestsPerSecond: 10, Timeout: 10 * time.Second}

func (s *Service) releases() releases.Releases {
	return releases.Releases{DB: s.DB, Log: s.Log, Clients: s.Clients, Engine: s.engine(),
		ResolveUndeclared: s.ResolveUndeclared, ResolveWait: s.ResolveWait, Gate: s.gateRelease, Rules: s.ReleaseRules,
		Cost: costs.Hold, OnMirrored: s.OnMirrored}
}

// judge evaluates releases' rules outside transactions, then reconsiders them.
func (s *Service) judge() supply.Judge {
	return supply.Judge{Checker: &supply.Checker{DB: s.DB, Clients: s.RegistryClients, Log: s.Log}, Releases: s.releases()}
}

// Reevaluate judges again the releases rules hold for digest ("" for all).
func (s *Service) Reevaluate(ctx context.Context, digest string) error {
	return s.judge().Reevaluate(ctx, digest)
}

// gateRelease passes a release through the gate as its push was: an
// approved image's unknown tag is added, as a push adds it.
func (s *Service) gateRelease(ctx context.Context, tx *store.Tx, ref imageref.Ref) (gate.Decision, error) {
	in, img, err := intake.Catalogue(ctx, tx, s.Internal, ref)
	if err != nil {
		return gate.Decision{}, err
	}
	dec := gate.Decide(in)
	if dec.AddTag {
		_, err := catalog.CreateTag(ctx, tx, airlock.Tag{ImageID: img.ID, Tag: ref.Tag, Digest: ref.Digest, Source: airlock.SourceWebhook})
		if err != nil && airlock.ErrorCode(err) != airlock.ECONFLICT {
			return dec, err
		}
	}
	return dec, nil
}

// SyncRegistries brings the registry clients up to date with the declared registries.
func (s *Service) SyncRegistries(ctx context.Context) error {
	if s.Clients == nil {
		return nil
	}
	return s.Clients.Sync(ctx, s.DB)
}

// StartReleases runs the resolver and poller (one replica at a time) until ctx ends or Close.
func (s *Service) StartReleases(ctx context.Context) {
	if s.Clients == nil || s.runner != nil {
		return
	}
	s.runner = &releases.Runner{Releases: s.releases(), Tick: s.ReleaseTick, Holder: s.MonitorID,
		Reevaluate: func(ctx context.Context) error { return s.Reevaluate(ctx, "") }}
	s.runner.Start(ctx)
}

func (s *Service) stopReleases() {
	if s.runner != nil {
		s.runner.Stop()
	}
}

// Reconsider re-runs the gate and every later decision for release id and
// starts its rollout when they allow it; see releases.Releases.Reconsider.
func (s *Service) Reconsider(ctx context.Context, actor string, id int64) (releases.Outcome, error) {
	return s.judge().Reconsider(ctx, actor, id)
}

// Release is a stored release with what was decided about it.
type Release = releasedb.Record

// ReleaseFilter selects releases for listing.
type ReleaseFilter = releasedb.Filter

// Release returns release id with what was decided about it.
func (s *Service) Release(ctx context.Context, id int64) (Release, error) {
	return releasedb.Get(ctx, s.DB, id)
}

// Releases returns a page of releases, newest first.
func (s *Service) Releases(ctx context.Context, f ReleaseFilter) ([]Release, int, error) {
	if f.Status != "" && !release.Status(f.Status).Valid() {
		return nil, 0, airlock.FieldErrorf("status", "must be one of resolving, ready, held, refused, known_bad, duplicate")
	}
	if f.Image != "" {
		ref, err := imageref.Parse(f.Image)
		if err != nil {
			return nil, 0, airlock.FieldErrorf("image", "%s", err.Error())
		}
		f.Image = ref.Repository()
	}
	return releasedb.List(ctx, s.DB, f)
}
