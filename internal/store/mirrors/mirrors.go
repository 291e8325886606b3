// Package mirrors stores each release's copy into the fleet's mirror
// registry (issue 18): where it goes, its progress, errors and retries.
package mirrors

import (
	"context"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/store"
)

// States of a copy.
const (
	Copying  = "copying"  // due or under way; devices wait
	Retrying = "retrying" // the last attempt failed; tried again at NextAttemptAt
	Verified = "verified" // every manifest is on the mirror; devices get Reference
)

// Copy is one release's copy into the mirror.
type Copy struct {
	ReleaseID int64  `json:"release_id"`
	Mirror    string `json:"mirror"`    // the mirror's host
	Reference string `json:"reference"` // what devices are sent: <mirror>/<host>/<repo>:tag@digest
	State     string `json:"state"`
	registry.Progress
	Attempts      int       `json:"attempts"` // failed attempts so far
	LastError     string    `json:"last_error,omitempty"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

type querier interface {
	Query(ctx context.Context, q string, args ...any) (*store.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) store.Row
}

const cols = `release_id, mirror, reference, state, blobs_done, blobs_total, bytes_done, bytes_total, bytes_copied,
	manifests_done, manifests_total, attempts, last_error, next_attempt_at, updated_at`

func scan(s store.Scanner) (Copy, error) {
	var c Copy
	p := &c.Progress
	err := s.Scan(&c.ReleaseID, &c.Mirror, &c.Reference, &c.State, &p.BlobsDone, &p.BlobsTotal, &p.BytesDone,
		&p.BytesTotal, &p.BytesCopied, &p.ManifestsDone, &p.ManifestsTotal, &c.Attempts, &c.LastError,
		(*store.TimeScan)(&c.NextAttemptAt), (*store.TimeScan)(&c.UpdatedAt))
	return c, store.WrapErr(err)
}

// Get returns the copy of release id, or ENOTFOUND.
func Get(ctx context.Context, q querier, id int64) (Copy, error) {
	c, err := scan(q.QueryRow(ctx, `SELECT `+cols+` FROM release_mirrors WHERE release_id = $1`, id))
	return c, store.NotFound(err, "release %d has no mirror copy", id)
}

// Start records that release id is to be copied to reference on mirror,
// due now. A copy to another reference (the mirror changed) starts over;
// one to the same reference is left as it is.
func Start(ctx context.Context, tx *store.Tx, id int64, mirror, reference string) (Copy, error) {
	now := tx.Now()
	_, err := tx.Exec(ctx, `INSERT INTO release_mirrors (release_id, mirror, reference, state, next_attempt_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (release_id) DO UPDATE SET mirror = excluded.mirror,
		reference = excluded.reference, state = excluded.state, blobs_done = 0, blobs_total = 0, bytes_done = 0,
		bytes_total = 0, bytes_copied = 0, manifests_done = 0, manifests_total = 0, attempts = 0, last_error = '',
		next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at
		WHERE release_mirrors.reference <> excluded.reference`, id, mirror, reference, Copying, now)
	if err != nil {
		return Copy{}, fmt.Errorf("start mirror copy: %w", err)
	}
	return Get(ctx, tx, id)
}

// Due returns up to limit copies not verified whose next attempt is due at
// now, of releases still held for mirroring, the most overdue first.
func Due(ctx context.Context, q querier, now time.Time, limit int) ([]Copy, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM release_mirrors m WHERE state <> $1 AND next_attempt_at <= $2
		AND EXISTS (SELECT 1 FROM releases r WHERE r.id = m.release_id AND r.status = 'held' AND r.hold = 'mirroring')
		ORDER BY next_attempt_at, release_id LIMIT $3`, Verified, now, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scan)
}

// SetProgress records how far the copy under way has come.
func SetProgress(ctx context.Context, db *store.DB, id int64, p registry.Progress) error {
	_, err := db.Exec(ctx, `UPDATE release_mirrors SET blobs_done = $1, blobs_total = $2, bytes_done = $3,
		bytes_total = $4, bytes_copied = $5, manifests_done = $6, manifests_total = $7, updated_at = $8
		WHERE release_id = $9`, p.BlobsDone, p.BlobsTotal, p.BytesDone, p.BytesTotal, p.BytesCopied, p.ManifestsDone,
		p.ManifestsTotal, db.Now(), id)
	if err != nil {
		return fmt.Errorf("mirror progress: %w", err)
	}
	return nil
}

// Failed records a failed attempt: its error, and when the next is due.
func Failed(ctx context.Context, db *store.DB, id int64, cause string, next time.Time) error {
	_, err := db.Exec(ctx, `UPDATE release_mirrors SET state = $1, attempts = attempts + 1, last_error = $2,
		next_attempt_at = $3, updated_at = $4 WHERE release_id = $5`, Retrying, cause, next, db.Now(), id)
	if err != nil {
		return fmt.Errorf("mirror failure: %w", err)
	}
	return nil
}

// SetVerified records that the mirror holds the whole release.
func SetVerified(ctx context.Context, tx *store.Tx, id int64) (Copy, error) {
	c, err := scan(tx.QueryRow(ctx, `UPDATE release_mirrors SET state = $1, last_error = '', updated_at = $2
		WHERE release_id = $3 RETURNING `+cols, Verified, tx.Now(), id))
	return c, store.NotFound(err, "release %d has no mirror copy", id)
}
