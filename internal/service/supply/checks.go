package supply

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/verify"
)

// PostReleaseCheck records a check for release id's digest: checks are
// kept per content, so every tag of the same digest sees them.
func (s Reports) PostReleaseCheck(ctx context.Context, actor string, id int64, in CheckInput) error {
	if err := validCheckFields(in); err != nil {
		return err
	}
	rec, err := releasedb.Get(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if rec.Digest == "" {
		return airlock.Errorf(airlock.ECONFLICT, "release %d has no digest yet: checks are recorded per digest", id)
	}
	return s.PostCheck(ctx, actor, rec.Digest, in)
}

// Checks returns the checks reported for digest, by name.
func (s Reports) Checks(ctx context.Context, digest string) (map[string]rules.Check, error) {
	if _, err := verify.SignatureTag(digest); err != nil {
		return nil, err
	}
	return supplydb.Checks(ctx, s.DB, digest)
}
