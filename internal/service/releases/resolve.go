package releases

import (
	"context"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	costdb "github.com/airlock-iot/airlock/internal/store/costs"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// ResolveAfterPush resolves the releases a delivery left resolving, within
// the few seconds a webhook may wait; what is not resolved by then is left
// to the resolver.
func (s Releases) ResolveAfterPush(ctx context.Context, id int64) (Outcome, error) {
	return s.Resolve(ctx, id, s.resolveWait())
}

// Resolve asks the registry what resolving release id holds, outside any
// transaction and for at most wait, then records the answer and, when the
// release is ready, considers it (Reconsider). A failure on a declared
// registry leaves it resolving, retried with backoff; it never rolls out
// unpinned.
func (s Releases) Resolve(ctx context.Context, id int64, wait time.Duration) (Outcome, error) {
	rec, err := releasedb.Get(ctx, s.DB, id)
	if err != nil || rec.Status != release.StatusResolving {
		return Outcome{Release: rec.Release, Reason: rec.Reason}, err
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	lk := s.lookup(lctx, rec.Release)
	cancel()
	var out Outcome
	err = s.DB.InTx(ctx, "resolver", func(tx *store.Tx) error {
		r, err := lockRelease(ctx, tx, id)
		if err != nil || r.Status != release.StatusResolving {
			out = Outcome{Release: r, Reason: r.Reason}
			return err
		}
		h, err := s.history(ctx, tx, r, r.Tag)
		if err != nil {
			return err
		}
		d := release.Resolved(r, lk.res, h)
		typ := "release.resolved"
		switch {
		case lk.fail != nil:
			d, typ = release.ResolveFailed(r, *lk.fail, h, tx.Now()), "release.resolve_failed"
		case !lk.kind.Deployable() && d.Release.Status != release.StatusDuplicate:
			// An artifact the delivery did not tell apart (no manifest
			// details): recorded, never deployed.
			d.Release.Status, d.Release.Hold = release.StatusRefused, release.HoldNone
			d.Release.Reason = fmt.Sprintf("%s is a %s, not an image: artifacts are never deployed", d.Release.Digest, lk.kind)
		}
		if r, err = releasedb.Update(ctx, tx, d.Release); err != nil {
			return err
		}
		if lk.fail == nil && lk.res.Digest != "" {
			if err := costdb.PutContent(ctx, tx, lk.res.Digest, lk.imgs); err != nil {
				return err
			}
		}
		s.Log.InfoContext(ctx, typ, "release_id", r.ID, "image", r.Repository(), "tag", r.Tag, "status", r.Status, "reason", r.Reason)
		if err := tx.AddEvent(ctx, typ, releasedb.Subject(r.ID), r); err != nil {
			return err
		}
		out, err = s.consider(ctx, tx, r, d.Action, true)
		return err
	})
	return out, err
}

// ResolveDue resolves the releases whose next attempt is due, a batch at a
// time; each gets the registry client's own timeouts.
func (s Releases) ResolveDue(ctx context.Context) error {
	due, err := releasedb.Due(ctx, s.DB, s.DB.Now(), resolveBatch)
	if err != nil {
		return err
	}
	for _, r := range due {
		if _, err := s.Resolve(ctx, r.ID, resolveTimeout); err != nil {
			s.Log.WarnContext(ctx, "resolving a release failed", "release_id", r.ID, "err", err)
		}
	}
	return nil
}

const (
	resolveBatch   = 50
	resolveTimeout = 30 * time.Second
)
