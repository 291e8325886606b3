package releases

import (
	"context"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	rolloutdb "github.com/airlock-iot/airlock/internal/store/rollouts"
)

// maxPolledImages bounds the approved images of one registry polled per round.
const maxPolledImages = 500

// PollRegistry looks for pushes on host that no notification told of: the
// tag list of each approved image, then HEAD of the tags that enabled
// policies match (newest first, bounded), each new digest entering the same
// intake as a webhook's push (source poll). since is the previous poll.
func (s Releases) PollRegistry(ctx context.Context, host string, since time.Time) error {
	c, declared, err := s.Clients.Pool.Client(host)
	if err != nil || !declared {
		return err
	}
	images, _, err := catalog.Images(ctx, s.DB, airlock.ImageFilter{Registry: host, Status: airlock.StatusApproved, Limit: maxPolledImages})
	if err != nil {
		return err
	}
	policies, _, err := rolloutdb.Policies(ctx, s.DB, nil, 10000, 0)
	if err != nil {
		return err
	}
	for _, img := range images {
		ref := imageref.Ref{Registry: img.Registry, Namespace: img.Namespace, Name: img.ImageName}
		if err := s.pollImage(ctx, c, ref, policies, since); err != nil {
			s.Log.WarnContext(ctx, "polling an image failed", "image", ref.Repository(), "err", err)
		}
	}
	return nil
}

func (s Releases) pollImage(ctx context.Context, c *registry.Client, ref imageref.Ref, policies []airlock.Policy, since time.Time) error {
	path := strings.TrimPrefix(ref.Repository(), ref.Registry+"/")
	tags, err := c.Tags(ctx, path)
	if err != nil {
		return err
	}
	known, err := releasedb.KnownTags(ctx, s.DB, ref.Registry, ref.Namespace, ref.Name)
	if err != nil {
		return err
	}
	plan := release.SelectTags(release.Poll{Repository: ref.Repository(), Tags: tags, Policies: policies,
		Known: known, Since: since})
	for _, tag := range plan.Head {
		d, err := c.Resolve(ctx, path, tag)
		if err != nil {
			return err
		}
		p := release.Push{Registry: ref.Registry, Namespace: ref.Namespace, Name: ref.Name, Tag: tag,
			Digest: d.Digest, MediaType: d.MediaType, Source: release.SourcePoll}
		if _, err := s.Discovered(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// Discovered takes a push found by polling through the gate and into the
// intake, as a webhook's would be, and resolves what it still lacks.
func (s Releases) Discovered(ctx context.Context, p release.Push) (Outcome, error) {
	var out Outcome
	err := s.DB.InTx(ctx, "poller", func(tx *store.Tx) error {
		ref := imageref.Ref{Registry: p.Registry, Namespace: p.Namespace, Name: p.Name, Tag: p.Tag, Digest: p.Digest}
		if s.Gate != nil {
			g, err := s.Gate(ctx, tx, ref)
			if err != nil || !g.Allowed {
				if err == nil {
					out.Reason = g.Err.Message
				}
				return err
			}
		}
		var err error
		out, err = s.Push(ctx, tx, p)
		return err
	})
	if err != nil || !out.Pending() {
		return out, err
	}
	return s.Resolve(ctx, out.Release.ID, resolveTimeout)
}
