// Package releases stores releases (internal/release): one pushed content
// of an image under a tag, with what was decided about it.
package releases

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/mirrors"
)

// Record is a stored release with what was decided about it.
type Record struct {
	release.Release
	Decision  json.RawMessage `json:"decision"` // the last decision: platforms, direction, rollout
	RolloutID *int64          `json:"rollout_id"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Mirror is its copy into the mirror registry, when one was started.
	Mirror *mirrors.Copy `json:"mirror,omitempty"`
}

// Filter selects releases for listing.
type Filter struct {
	Image         string // a normalised repository, docker.io/library/redis
	Tag           string
	Status        string
	Limit, Offset int
}

// querier is a transaction or the database.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*store.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) store.Row
}

const cols = `id, registry, namespace, image_name, tag, digest, media_type, platforms, pushed_at, source, pusher,
	status, hold, pinned, reason, attempts, next_attempt_at`

const recordCols = cols + `, decision, created_at, updated_at,
	(SELECT MAX(ro.id) FROM image_update_rollouts ro WHERE ro.release_id = releases.id)`

// repoExpr is a release's normalised repository, as imageref spells it.
const repoExpr = `(registry || '/' || CASE WHEN namespace = '' THEN '' ELSE namespace || '/' END || image_name)`

func scan(s store.Scanner, extra ...any) (release.Release, error) {
	var r release.Release
	var platforms string
	var next store.NullTime
	args := append([]any{&r.ID, &r.Registry, &r.Namespace, &r.Name, &r.Tag, &r.Digest, &r.MediaType, &platforms,
		(*store.TimeScan)(&r.PushedAt), &r.Source, &r.Pusher, &r.Status, &r.Hold, &r.Pinned, &r.Reason,
		&r.Attempts, &next}, extra...)
	if err := s.Scan(args...); err != nil {
		return r, store.WrapErr(err)
	}
	if t := next.Ptr(); t != nil {
		r.NextAttemptAt = *t
	}
	r.Platforms = []platform.Platform{}
	return r, json.Unmarshal([]byte(platforms), &r.Platforms)
}

func scanRecord(s store.Scanner) (Record, error) {
	var rec Record
	var decision string
	var rollout *int64
	r, err := scan(s, &decision, (*store.TimeScan)(&rec.CreatedAt), (*store.TimeScan)(&rec.UpdatedAt), &rollout)
	rec.Release, rec.Decision, rec.RolloutID = r, json.RawMessage(decision), rollout
	return rec, err
}

func platformsJSON(ps []platform.Platform) string {
	if ps == nil {
		ps = []platform.Platform{}
	}
	b, _ := json.Marshal(ps)
	return string(b)
}

func nextAttempt(r release.Release) any {
	if r.NextAttemptAt.IsZero() {
		return nil
	}
	return r.NextAttemptAt
}

// Insert stores a new release. A digest the tag has as a release already
// (a concurrent delivery of the same push) is a conflict.
func Insert(ctx context.Context, tx *store.Tx, r release.Release) (release.Release, error) {
	now := tx.Now()
	created, err := scan(tx.QueryRow(ctx, `INSERT INTO releases (registry, namespace, image_name, tag, digest,
		media_type, platforms, pushed_at, source, pusher, status, hold, pinned, reason, attempts, next_attempt_at,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
		ON CONFLICT DO NOTHING RETURNING `+cols, r.Registry, r.Namespace, r.Name, r.Tag, r.Digest, r.MediaType,
		platformsJSON(r.Platforms), r.PushedAt, r.Source, r.Pusher, r.Status, r.Hold, r.Pinned, r.Reason, r.Attempts,
		nextAttempt(r), now))
	if err != nil {
		return created, store.NotFoundAs(err, airlock.ECONFLICT, "%s:%s has a release of %s already", r.Repository(), r.Tag, r.Digest)
	}
	return created, tx.AddEvent(ctx, "release.created", Subject(created.ID), created)
}

// Update writes what a decision changed of a stored release.
func Update(ctx context.Context, tx *store.Tx, r release.Release) (release.Release, error) {
	updated, err := scan(tx.QueryRow(ctx, `UPDATE releases SET digest = $1, media_type = $2, platforms = $3,
		status = $4, hold = $5, pinned = $6, reason = $7, attempts = $8, next_attempt_at = $9, updated_at = $10
		WHERE id = $11 RETURNING `+cols, r.Digest, r.MediaType, platformsJSON(r.Platforms), r.Status, r.Hold, r.Pinned,
		r.Reason, r.Attempts, nextAttempt(r), tx.Now(), r.ID))
	if err != nil {
		return updated, store.NotFound(err, "release %d not found", r.ID)
	}
	return updated, nil
}

// SetDecision records what was decided about a release, and links the
// rollout that takes it to devices, if any.
func SetDecision(ctx context.Context, tx *store.Tx, id int64, decision any, rolloutID *int64) error {
	b, err := json.Marshal(decision)
	if err != nil {
		return fmt.Errorf("release decision: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE releases SET decision = $1, updated_at = $2 WHERE id = $3`, string(b), tx.Now(), id); err != nil {
		return fmt.Errorf("release decision: %w", err)
	}
	if rolloutID == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE image_update_rollouts SET release_id = $1 WHERE id = $2`, id, *rolloutID); err != nil {
		return fmt.Errorf("link rollout: %w", err)
	}
	return nil
}

// Subject is the events' subject of release id.
func Subject(id int64) string { return fmt.Sprintf("release/%d", id) }

// History returns every release of an image under a tag.
// HistoryDepth is how many of a tag's newest releases a push is compared
// with: a tag pushed again and again without a digest (a registry nobody
// asks) makes a release each time, and a push must not read them all.
const HistoryDepth = 20

func History(ctx context.Context, q querier, registry, namespace, name, tag string) ([]release.Release, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM (SELECT * FROM releases WHERE registry = $1 AND namespace = $2
		AND image_name = $3 AND tag = $4 ORDER BY id DESC LIMIT `+strconv.Itoa(HistoryDepth)+`) releases ORDER BY id`,
		registry, namespace, name, tag)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (release.Release, error) { return scan(s) })
}

// ForUpdate reads release id, locking it.
func ForUpdate(ctx context.Context, tx *store.Tx, id int64) (release.Release, error) {
	r, err := scan(tx.QueryRow(ctx, `SELECT `+cols+` FROM releases WHERE id = $1`+tx.ForUpdate(), id))
	return r, store.NotFound(err, "release %d not found", id)
}

// Get returns release id with what was decided about it.
func Get(ctx context.Context, q querier, id int64) (Record, error) {
	r, err := scanRecord(q.QueryRow(ctx, `SELECT `+recordCols+` FROM releases WHERE id = $1`, id))
	if err != nil {
		return r, store.NotFound(err, "release %d not found", id)
	}
	m, err := mirrors.Get(ctx, q, id)
	switch {
	case err == nil:
		r.Mirror = &m
	case airlock.ErrorCode(err) != airlock.ENOTFOUND:
		return r, err
	}
	return r, nil
}

// List returns a page of releases, newest first, and how many f matches.
func List(ctx context.Context, q querier, f Filter) ([]Record, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Image != "" {
		add(repoExpr+` = $%d`, f.Image)
	}
	if f.Tag != "" {
		add(`tag = $%d`, f.Tag)
	}
	if f.Status != "" {
		add(`status = $%d`, f.Status)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM releases`+where, args...).Scan(&total); err != nil {
		return nil, 0, store.WrapErr(err)
	}
	n := len(args)
	args = append(args, f.Limit, f.Offset)
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT %s FROM releases%s ORDER BY id DESC LIMIT $%d OFFSET $%d`,
		recordCols, where, n+1, n+2), args...)
	if err != nil {
		return nil, 0, err
	}
	items, err := store.Collect(rows, scanRecord)
	return items, total, err
}

// Due returns up to limit resolving releases whose next attempt is due at now, the most overdue first.
func Due(ctx context.Context, q querier, now time.Time, limit int) ([]release.Release, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM releases WHERE status = 'resolving' AND next_attempt_at <= $1
		ORDER BY next_attempt_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (release.Release, error) { return scan(s) })
}

// KnownTags returns, for each tag of an image with releases, when its
// latest release was recorded: what the poller leaves to deliveries.
func KnownTags(ctx context.Context, q querier, registry, namespace, name string) ([]release.KnownTag, error) {
	rows, err := q.Query(ctx, `SELECT tag, MAX(created_at) FROM releases
		WHERE registry = $1 AND namespace = $2 AND image_name = $3 GROUP BY tag`, registry, namespace, name)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (release.KnownTag, error) {
		var k release.KnownTag
		return k, s.Scan(&k.Tag, (*store.TimeScan)(&k.SeenAt))
	})
}

// TagsOf returns the tags of an image whose releases hold digest.
func TagsOf(ctx context.Context, q querier, registry, namespace, name, digest string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT tag FROM releases WHERE registry = $1 AND namespace = $2
		AND image_name = $3 AND digest = $4 ORDER BY tag`, registry, namespace, name, digest)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (string, error) {
		var t string
		return t, s.Scan(&t)
	})
}

// OfRollout is the release rollout id delivered; 0 when it had none.
func OfRollout(ctx context.Context, tx *store.Tx, rolloutID int64) (int64, error) {
	var id *int64
	err := tx.QueryRow(ctx, `SELECT release_id FROM image_update_rollouts WHERE id = $1`, rolloutID).Scan(&id)
	if err != nil || id == nil {
		return 0, store.WrapErr(err)
	}
	return *id, nil
}
