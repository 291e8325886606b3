// Package costs serves what releases weigh and what rollouts cost: sizes
// per platform from the content the resolver inspected, the bytes each
// device of a rollout downloads, their price under the global cost rules,
// monthly sums per image, and policy limits that hold an expensive
// rollout for an approver (issue 23). The arithmetic is internal/cost's.
package costs

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/store"
	costdb "github.com/airlock-iot/airlock/internal/store/costs"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// Costs is the cost use cases over one database.
type Costs struct {
	DB *store.DB
}

// Size is a release's compressed size: per platform, and SizeBytes, the
// largest platform's (what one device pulls at most; a single-platform
// release's whole size). Known is false until the resolver inspected it.
type Size struct {
	Known     bool                `json:"size_known"`
	SizeBytes int64               `json:"size_bytes"`
	Platforms []cost.PlatformSize `json:"platform_sizes"`
}

// ReleaseSize is release id's size.
func (c Costs) ReleaseSize(ctx context.Context, id int64) (Size, error) {
	rec, err := releasedb.Get(ctx, c.DB, id)
	if err != nil {
		return Size{}, err
	}
	imgs, err := costdb.Content(ctx, c.DB, rec.Digest)
	if err != nil {
		return Size{}, err
	}
	return sizeOf(imgs), nil
}

func sizeOf(imgs []registry.Image) Size {
	s := Size{Known: imgs != nil, Platforms: cost.Sizes(registry.Manifest{Platforms: imgs})}
	for _, p := range s.Platforms {
		s.SizeBytes = max(s.SizeBytes, p.SizeBytes)
	}
	return s
}

// querier is a transaction or the database.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*store.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) store.Row
}

// contents reads the recorded platform images of digests, once each.
type contents struct {
	q    querier
	seen map[string][]registry.Image
}

func (cs *contents) of(ctx context.Context, digest string) ([]registry.Image, error) {
	if imgs, ok := cs.seen[digest]; ok {
		return imgs, nil
	}
	imgs, err := costdb.Content(ctx, cs.q, digest)
	cs.seen[digest] = imgs
	return imgs, err
}

// priced works out each device's download and prices it under rules.
func priced(ctx context.Context, q querier, rules []cost.Rule, devs []costdb.Device) (cost.Rollout, error) {
	cs := &contents{q: q, seen: map[string][]registry.Image{}}
	in := make([]cost.Device, len(devs))
	for i, d := range devs {
		target, err := cs.of(ctx, d.Digest)
		if err != nil {
			return cost.Rollout{}, err
		}
		var previous []registry.Image
		if prev, err := imageref.Parse(d.Previous); err == nil && prev.Digest != "" {
			if previous, err = cs.of(ctx, prev.Digest); err != nil {
				return cost.Rollout{}, err
			}
		}
		bytes, _ := cost.DeviceDownload(d.Platform, target, previous)
		in[i] = cost.Device{UUID: d.UUID, Labels: d.Labels, Bytes: bytes, Reported: d.Reported()}
	}
	return cost.Estimate(rules, in), nil
}

// Rollout is what rollout id downloads and costs, per device and in all:
// estimated over every device it targets, actual over those that reported
// the new image.
func (c Costs) Rollout(ctx context.Context, id int64) (cost.Rollout, error) {
	devs, err := costdb.RolloutDevices(ctx, c.DB, id)
	if err != nil {
		return cost.Rollout{}, err
	}
	rules, err := costdb.Rules(ctx, c.DB)
	if err != nil {
		return cost.Rollout{}, err
	}
	return priced(ctx, c.DB, rules, devs)
}

// ImageCosts sums image id's actual cost by month: each device that
// reported a rollout's new image, booked when it did, priced under the
// cost rules as they are now.
func (c Costs) ImageCosts(ctx context.Context, imageID int64) ([]cost.Month, error) {
	if ok, err := costdb.Exists(ctx, c.DB, "images", imageID); err != nil {
		return nil, err
	} else if !ok {
		return nil, airlock.Errorf(airlock.ENOTFOUND, "image %d not found", imageID)
	}
	devs, err := costdb.ImageDevices(ctx, c.DB, imageID)
	if err != nil {
		return nil, err
	}
	rules, err := costdb.Rules(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	ro, err := priced(ctx, c.DB, rules, devs)
	if err != nil {
		return nil, err
	}
	entries := make([]cost.Entry, len(devs))
	for i, d := range devs {
		entries[i] = cost.Entry{At: d.UpdatedAt, Cost: ro.Devices[i].Cost, Bytes: ro.Devices[i].Bytes, Currency: ro.Currency}
	}
	return cost.Monthly(entries, nil), nil
}
