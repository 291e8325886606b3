package catalog

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const tagCols = `id, image_id, tag, digest, architecture, is_recommended, is_deprecated,
	deprecated_reason, source, created_at, updated_at`

func scanTag(s store.Scanner) (airlock.Tag, error) {
	var t airlock.Tag
	err := s.Scan(&t.ID, &t.ImageID, &t.Tag, &t.Digest, &t.Architecture, &t.IsRecommended, &t.IsDeprecated,
		&t.DeprecatedReason, &t.Source, (*store.TimeScan)(&t.CreatedAt), (*store.TimeScan)(&t.UpdatedAt))
	return t, err
}

func tagSubject(imageID, tagID int64) string { return fmt.Sprintf("image/%d/tag/%d", imageID, tagID) }

// CreateTag adds a tag to an existing image; a duplicate tag is a conflict.
func CreateTag(ctx context.Context, tx *store.Tx, t airlock.Tag) (airlock.Tag, error) {
	now := tx.Now()
	row := tx.QueryRow(ctx, `INSERT INTO image_tags (image_id, tag, digest, architecture, is_recommended,
		is_deprecated, deprecated_reason, source, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT DO NOTHING RETURNING `+tagCols,
		t.ImageID, t.Tag, t.Digest, t.Architecture, t.IsRecommended, t.IsDeprecated, t.DeprecatedReason, t.Source, now)
	created, err := scanTag(row)
	if err != nil {
		return created, store.NotFoundAs(err, airlock.ECONFLICT, "tag %q already exists for image %d", t.Tag, t.ImageID)
	}
	return created, tx.AddEvent(ctx, "image.tag.added", tagSubject(t.ImageID, created.ID), created)
}

// TagForUpdate reads one tag of an image inside the transaction, locking it.
func TagForUpdate(ctx context.Context, tx *store.Tx, imageID, tagID int64) (airlock.Tag, error) {
	t, err := scanTag(tx.QueryRow(ctx, `SELECT `+tagCols+` FROM image_tags WHERE id = $1 AND image_id = $2`+tx.ForUpdate(),
		tagID, imageID))
	if err != nil {
		return t, store.NotFound(err, "tag %d of image %d not found", tagID, imageID)
	}
	return t, nil
}

// UpdateTag writes every mutable field of t. A tag newly deprecated also gets
// an image.tag.deprecated event, so the audit trail says so in its type.
func UpdateTag(ctx context.Context, tx *store.Tx, before, t airlock.Tag) (airlock.Tag, error) {
	row := tx.QueryRow(ctx, `UPDATE image_tags SET digest = $1, architecture = $2, is_recommended = $3,
		is_deprecated = $4, deprecated_reason = $5, updated_at = $6 WHERE id = $7 RETURNING `+tagCols,
		t.Digest, t.Architecture, t.IsRecommended, t.IsDeprecated, t.DeprecatedReason, tx.Now(), t.ID)
	updated, err := scanTag(row)
	if err != nil {
		return updated, store.NotFound(err, "tag %d not found", t.ID)
	}
	if err := tx.AddEvent(ctx, "image.tag.updated", tagSubject(t.ImageID, t.ID), updated); err != nil {
		return updated, err
	}
	if updated.IsDeprecated && !before.IsDeprecated {
		err = tx.AddEvent(ctx, "image.tag.deprecated", tagSubject(t.ImageID, t.ID), updated)
	}
	return updated, err
}

// DeleteTag removes one tag of an image.
func DeleteTag(ctx context.Context, tx *store.Tx, imageID, tagID int64) error {
	t, err := TagForUpdate(ctx, tx, imageID, tagID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM image_tags WHERE id = $1`, tagID); err != nil {
		return fmt.Errorf("delete tag: %w", err)
	}
	return tx.AddEvent(ctx, "image.tag.removed", tagSubject(imageID, tagID), t)
}

// Tags lists an image's tags in the order they were added.
func Tags(ctx context.Context, db *store.DB, imageID int64) ([]airlock.Tag, error) {
	rows, err := db.Query(ctx, `SELECT `+tagCols+` FROM image_tags WHERE image_id = $1 ORDER BY id`, imageID)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanTag)
}

// TagByName reads one tag of an image by its name inside the transaction.
func TagByName(ctx context.Context, tx *store.Tx, imageID int64, tag string) (airlock.Tag, error) {
	t, err := scanTag(tx.QueryRow(ctx, `SELECT `+tagCols+` FROM image_tags WHERE image_id = $1 AND tag = $2`, imageID, tag))
	if err != nil {
		return t, store.NotFound(err, "tag %q of image %d not found", tag, imageID)
	}
	return t, nil
}
