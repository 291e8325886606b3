package service

import (
	"context"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// TagInput adds a tag to an image.
type TagInput struct {
	Tag              string `json:"tag"`
	Digest           string `json:"digest"`
	Architecture     string `json:"architecture"`
	IsRecommended    bool   `json:"is_recommended"`
	IsDeprecated     bool   `json:"is_deprecated"`
	DeprecatedReason string `json:"deprecated_reason"`
}

// TagUpdate changes a tag's flags; nil fields stay as they are.
type TagUpdate struct {
	Digest           *string `json:"digest"`
	Architecture     *string `json:"architecture"`
	IsRecommended    *bool   `json:"is_recommended"`
	IsDeprecated     *bool   `json:"is_deprecated"`
	DeprecatedReason *string `json:"deprecated_reason"`
}

// CreateTag adds a tag to image imageID.
func (s *Service) CreateTag(ctx context.Context, actor string, imageID int64, in TagInput) (airlock.Tag, error) {
	t := airlock.Tag{ImageID: imageID, Tag: in.Tag, Digest: in.Digest, Architecture: in.Architecture,
		IsRecommended: in.IsRecommended, IsDeprecated: in.IsDeprecated, DeprecatedReason: in.DeprecatedReason,
		Source: airlock.SourceAdmin}
	if err := imageref.ValidTag(t.Tag); err != nil {
		return t, err
	}
	if err := validateTag(t); err != nil {
		return t, err
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		if _, err := catalog.ImageForUpdate(ctx, tx, imageID); err != nil {
			return err
		}
		var err error
		t, err = catalog.CreateTag(ctx, tx, t)
		return err
	})
	return t, err
}

// UpdateTag applies in to tag tagID of image imageID.
func (s *Service) UpdateTag(ctx context.Context, actor string, imageID, tagID int64, in TagUpdate) (airlock.Tag, error) {
	var t airlock.Tag
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		// The image first, as a push locks it: a push cannot then start a
		// rollout of a tag this deprecates without this seeing it.
		img, err := catalog.ImageForUpdate(ctx, tx, imageID)
		if err != nil {
			return err
		}
		before, err := catalog.TagForUpdate(ctx, tx, imageID, tagID)
		if err != nil {
			return err
		}
		t = before
		setIf(&t.Digest, in.Digest)
		setIf(&t.Architecture, in.Architecture)
		setIf(&t.IsRecommended, in.IsRecommended)
		setIf(&t.IsDeprecated, in.IsDeprecated)
		setIf(&t.DeprecatedReason, in.DeprecatedReason)
		if !t.IsDeprecated {
			t.DeprecatedReason = ""
		}
		if err := validateTag(t); err != nil {
			return err
		}
		if t, err = catalog.UpdateTag(ctx, tx, before, t); err != nil {
			return err
		}
		if t.IsDeprecated && !before.IsDeprecated {
			return s.tagDeprecated(ctx, tx, img, t)
		}
		return nil
	})
	return t, err
}

// DeleteTag removes a tag.
func (s *Service) DeleteTag(ctx context.Context, actor string, imageID, tagID int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return catalog.DeleteTag(ctx, tx, imageID, tagID) })
}

func validateTag(t airlock.Tag) error {
	if t.Digest != "" {
		if err := imageref.ValidDigest(t.Digest); err != nil {
			return err
		}
	}
	switch {
	case len(t.Architecture) > 32:
		return airlock.FieldErrorf("architecture", "must be at most 32 characters")
	case len(t.DeprecatedReason) > 500:
		return airlock.FieldErrorf("deprecated_reason", "must be at most 500 characters")
	}
	return nil
}

// setApproval sets an image's approval status and who approved it when.
func setApproval(img *airlock.Image, status, actor string, now time.Time) {
	img.ApprovalStatus = status
	img.ApprovedBy, img.ApprovedAt = nil, nil
	if status == airlock.StatusApproved {
		img.ApprovedBy, img.ApprovedAt = &actor, &now
	}
}
