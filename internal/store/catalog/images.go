package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const imageCols = `id, registry, namespace, image_name, description, category, is_official,
	approval_status, approved_by, approved_at, created_at, updated_at, approval_scope`

func scanImage(s store.Scanner) (airlock.Image, error) {
	var i airlock.Image
	var approvedAt store.NullTime
	err := s.Scan(&i.ID, &i.Registry, &i.Namespace, &i.ImageName, &i.Description, &i.Category, &i.IsOfficial,
		&i.ApprovalStatus, &i.ApprovedBy, &approvedAt, (*store.TimeScan)(&i.CreatedAt), (*store.TimeScan)(&i.UpdatedAt),
		&i.ApprovalScope)
	i.ApprovedAt = approvedAt.Ptr()
	return i, err
}

func imageSubject(id int64) string { return fmt.Sprintf("image/%d", id) }

// CreateImage inserts an image; a duplicate (registry, namespace, name) is a conflict.
func CreateImage(ctx context.Context, tx *store.Tx, img airlock.Image) (airlock.Image, error) {
	now := tx.Now()
	if img.ApprovalScope == "" {
		img.ApprovalScope = airlock.ApprovalScopeImage
	}
	row := tx.QueryRow(ctx, `INSERT INTO images (registry, namespace, image_name, description, category, is_official,
		approval_status, approved_by, approved_at, created_at, updated_at, approval_scope)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT DO NOTHING RETURNING `+imageCols,
		img.Registry, img.Namespace, img.ImageName, img.Description, img.Category, img.IsOfficial,
		img.ApprovalStatus, img.ApprovedBy, img.ApprovedAt, now, img.ApprovalScope)
	created, err := scanImage(row)
	if err != nil {
		return created, store.NotFoundAs(err, airlock.ECONFLICT, "image %s/%s/%s already exists", img.Registry, img.Namespace, img.ImageName)
	}
	created.Tags = []airlock.Tag{}
	return created, tx.AddEvent(ctx, "image.registry.added", imageSubject(created.ID), created)
}

// ImageForUpdate reads an image inside the transaction, locking it.
func ImageForUpdate(ctx context.Context, tx *store.Tx, id int64) (airlock.Image, error) {
	i, err := scanImage(tx.QueryRow(ctx, `SELECT `+imageCols+` FROM images WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return i, store.NotFound(err, "image %d not found", id)
	}
	return i, nil
}

// ImageByName reads an image by its normalised name inside the transaction.
func ImageByName(ctx context.Context, tx *store.Tx, registry, namespace, name string) (airlock.Image, error) {
	i, err := scanImage(tx.QueryRow(ctx, `SELECT `+imageCols+` FROM images
		WHERE registry = $1 AND namespace = $2 AND image_name = $3`+tx.ForUpdate(), registry, namespace, name))
	if err != nil {
		return i, store.NotFound(err, "image %s/%s/%s not found", registry, namespace, name)
	}
	return i, nil
}

// UpdateImage writes every mutable field of img.
func UpdateImage(ctx context.Context, tx *store.Tx, img airlock.Image) (airlock.Image, error) {
	row := tx.QueryRow(ctx, `UPDATE images SET description = $1, category = $2, is_official = $3,
		approval_status = $4, approved_by = $5, approved_at = $6, updated_at = $7, approval_scope = $8 WHERE id = $9 RETURNING `+imageCols,
		img.Description, img.Category, img.IsOfficial, img.ApprovalStatus, img.ApprovedBy, img.ApprovedAt, tx.Now(), img.ApprovalScope, img.ID)
	updated, err := scanImage(row)
	if err != nil {
		return updated, store.NotFound(err, "image %d not found", img.ID)
	}
	return updated, tx.AddEvent(ctx, "image.registry.updated", imageSubject(img.ID), updated)
}

// DeleteImage removes an image and, by cascade, its tags.
func DeleteImage(ctx context.Context, tx *store.Tx, id int64) error {
	img, err := ImageForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM images WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete image: %w", err)
	}
	return tx.AddEvent(ctx, "image.registry.removed", imageSubject(id), img)
}

// Image returns an image with its tags.
func Image(ctx context.Context, db *store.DB, id int64) (airlock.Image, error) {
	img, err := scanImage(db.QueryRow(ctx, `SELECT `+imageCols+` FROM images WHERE id = $1`, id))
	if err != nil {
		return img, store.NotFound(err, "image %d not found", id)
	}
	img.Tags, err = Tags(ctx, db, id)
	return img, err
}

// Images lists images matching f, newest id last, with the total before paging.
func Images(ctx context.Context, db *store.DB, f airlock.ImageFilter) ([]airlock.Image, int, error) {
	where, args := imageWhere(f)
	var total int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM images`+where, args...).Scan(&total); err != nil {
		return nil, 0, store.WrapErr(err)
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM images%s ORDER BY id LIMIT $%d OFFSET $%d`,
		imageCols, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	images, err := store.Collect(rows, scanImage)
	return images, total, err
}

func imageWhere(f airlock.ImageFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Search != "" {
		add(`(LOWER(image_name) LIKE $%[1]d ESCAPE '\' OR LOWER(namespace) LIKE $%[1]d ESCAPE '\' OR LOWER(description) LIKE $%[1]d ESCAPE '\')`,
			"%"+escapeLike(strings.ToLower(f.Search))+"%")
	}
	if f.Status != "" {
		add(`approval_status = $%d`, f.Status)
	}
	if f.Category != "" {
		add(`category = $%d`, f.Category)
	}
	if f.Registry != "" {
		add(`registry = $%d`, f.Registry)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// escapeLike makes a search string literal inside LIKE.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Categories counts images per non-empty category.
func Categories(ctx context.Context, db *store.DB) ([]airlock.Category, error) {
	rows, err := db.Query(ctx, `SELECT category, COUNT(*) FROM images WHERE category <> ''
		GROUP BY category ORDER BY category`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(s store.Scanner) (airlock.Category, error) {
		var c airlock.Category
		return c, s.Scan(&c.Category, &c.Count)
	})
}
