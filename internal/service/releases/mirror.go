package releases

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/mirrors"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

const (
	mirrorBatch   = 10
	copyTimeout   = 30 * time.Minute
	progressEvery = time.Second // progress is written at most this often while a copy runs
)

// viaMirror decides, for a release about to roll out under policy p, what
// devices are sent. With no mirror declared, a policy that opts out, or a
// release pushed to the mirror itself: its own reference (""). With a
// verified copy on the mirror: the copy's reference. Otherwise the release
// is held as mirroring and its copy is started; the runner copies it and
// considers it again once the mirror holds it whole.
func (s Releases) viaMirror(ctx context.Context, tx *store.Tx, r release.Release, p airlock.Policy) (release.Release, string, error) {
	if !p.Mirror {
		return r, "", nil
	}
	m, err := catalog.MirrorRegistry(ctx, tx, 0)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND || (err == nil && r.Registry == m.Host) {
		return r, "", nil
	} else if err != nil {
		return r, "", err
	}
	if !r.Pinned || r.Digest == "" {
		held, err := releasedb.Update(ctx, tx, release.Held(r, release.HoldMirroring,
			fmt.Sprintf("the mirror %s copies by digest and %s has none", m.Host, r.Reference())))
		return held, "", err
	}
	ref, err := MirrorReference(m.Host, r)
	if err != nil {
		return r, "", err
	}
	c, err := mirrors.Start(ctx, tx, r.ID, m.Host, ref)
	if err != nil || c.State == mirrors.Verified {
		return r, c.Reference, err
	}
	held, err := releasedb.Update(ctx, tx, release.Held(r, release.HoldMirroring,
		fmt.Sprintf("waiting for its copy into the mirror %s", m.Host)))
	return held, "", err
}

// MirrorReference is what devices are sent of r once the mirror on
// mirrorHost holds it: <mirror>/<source host, ':' as '-'>/<repo>:tag@digest.
func MirrorReference(mirrorHost string, r release.Release) (string, error) {
	path, err := registry.MirrorPath(mirrorHost, r.Registry, sourcePath(r))
	if err != nil {
		return "", err
	}
	ref, err := imageref.Parse(path + ":" + r.Tag + "@" + r.Digest)
	if err != nil {
		return "", fmt.Errorf("mirror reference of release %d: %w", r.ID, err)
	}
	return ref.String(), nil
}

// sourcePath is r's repository on its registry, without the host.
func sourcePath(r release.Release) string {
	return strings.TrimPrefix(r.Repository(), r.Registry+"/")
}

// MirrorDue copies, one at a time, the releases whose copy is due. It runs
// on one replica (the runner's lease) and never inside a transaction.
func (s Releases) MirrorDue(ctx context.Context) error {
	due, err := mirrors.Due(ctx, s.DB, s.DB.Now(), mirrorBatch)
	if err != nil {
		return err
	}
	for _, c := range due {
		if err := s.Mirror(ctx, c); err != nil {
			s.Log.WarnContext(ctx, "mirroring a release failed", "release_id", c.ReleaseID, "err", err)
		}
	}
	return nil
}

// Mirror makes one attempt at copy c: copy, verify, then consider the
// release again. A failed attempt is recorded and retried with backoff;
// the release stays held meanwhile.
func (s Releases) Mirror(ctx context.Context, c mirrors.Copy) error {
	if s.Clients.Mirror() != c.Mirror {
		return s.mirrored(ctx, c.ReleaseID, false) // the mirror was changed or dropped: decide afresh
	}
	rec, err := releasedb.Get(ctx, s.DB, c.ReleaseID)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, copyTimeout)
	copied, err := s.copyRelease(cctx, rec.Release, c)
	cancel()
	if s.OnMirrored != nil && copied > 0 {
		s.OnMirrored(copied)
	}
	if err != nil {
		s.Log.WarnContext(ctx, "mirror copy failed", "release_id", c.ReleaseID, "mirror", c.Mirror, "attempt", c.Attempts+1, "err", err)
		return mirrors.Failed(ctx, s.DB, c.ReleaseID, err.Error(), release.NextAttempt(c.Attempts+1, s.DB.Now()))
	}
	return s.mirrored(ctx, c.ReleaseID, true)
}

// copyRelease copies r whole to the mirror and verifies the copy; it
// returns the bytes sent to the mirror.
func (s Releases) copyRelease(ctx context.Context, r release.Release, c mirrors.Copy) (int64, error) {
	src, _, err := s.Clients.Pool.Client(r.Registry)
	if err != nil {
		return 0, err
	}
	dst, _, err := s.Clients.Pool.Client(c.Mirror)
	if err != nil {
		return 0, err
	}
	path, err := registry.MirrorRepository(r.Registry, sourcePath(r))
	if err != nil {
		return 0, err
	}
	w := progressWriter{s: s, ctx: ctx, id: c.ReleaseID}
	dstRepo := registry.Repo{Client: dst, Name: path}
	err = registry.Copy(ctx, registry.Repo{Client: src, Name: sourcePath(r)}, dstRepo, r.Digest, r.Tag, w.report)
	last := w.flush()
	if err != nil {
		return last.BytesCopied, err
	}
	return last.BytesCopied, registry.Verify(ctx, dstRepo, r.Digest)
}

// progressWriter stores a copy's progress, at most every progressEvery
// and once at the end.
type progressWriter struct {
	s       Releases
	ctx     context.Context
	id      int64
	mu      sync.Mutex
	last    registry.Progress
	written time.Time
}

func (w *progressWriter) report(p registry.Progress) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last = p
	if time.Since(w.written) < progressEvery {
		return
	}
	w.written = time.Now()
	if err := mirrors.SetProgress(w.ctx, w.s.DB, w.id, p); err != nil {
		w.s.Log.WarnContext(w.ctx, "recording mirror progress failed", "release_id", w.id, "err", err)
	}
}

func (w *progressWriter) flush() registry.Progress {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := mirrors.SetProgress(context.WithoutCancel(w.ctx), w.s.DB, w.id, w.last); err != nil {
		w.s.Log.WarnContext(w.ctx, "recording mirror progress failed", "release_id", w.id, "err", err)
	}
	return w.last
}

// mirrored lifts the mirroring hold of release id and considers it again:
// after a verified copy (recorded here) it rolls out with the mirror's
// reference; otherwise (the mirror changed) it is decided afresh.
func (s Releases) mirrored(ctx context.Context, id int64, verified bool) error {
	return s.DB.InTx(ctx, "mirror", func(tx *store.Tx) error {
		r, err := lockRelease(ctx, tx, id)
		if err != nil {
			return err
		}
		why := "the mirror changed"
		if verified {
			c, err := mirrors.SetVerified(ctx, tx, id)
			if err != nil {
				return err
			}
			s.Log.InfoContext(ctx, "release mirrored", "release_id", id, "reference", c.Reference, "bytes_copied", c.BytesCopied)
			if err := tx.AddEvent(ctx, "release.mirrored", releasedb.Subject(id), c); err != nil {
				return err
			}
			why = "copied whole to the mirror " + c.Mirror
		}
		lifted, ok := release.Lift(r, release.HoldMirroring, why)
		if !ok {
			return nil
		}
		if lifted, err = releasedb.Update(ctx, tx, lifted); err != nil {
			return err
		}
		_, err = s.consider(ctx, tx, lifted, "", true)
		return err
	})
}
