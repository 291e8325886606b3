package service

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// ImageInput creates an image. ImageName may carry its namespace
// ("portainer/portainer-ce") or Namespace may say it apart.
type ImageInput struct {
	ImageName      string  `json:"image_name"`
	Registry       string  `json:"registry"`
	Namespace      string  `json:"namespace"`
	Description    string  `json:"description"`
	Category       string  `json:"category"`
	IsOfficial     bool    `json:"is_official"`
	ApprovalStatus *string `json:"approval_status"`
	ApprovalScope  *string `json:"approval_scope"`
}

// ImageUpdate changes an image's details; nil fields stay as they are.
type ImageUpdate struct {
	Description    *string `json:"description"`
	Category       *string `json:"category"`
	IsOfficial     *bool   `json:"is_official"`
	ApprovalStatus *string `json:"approval_status"`
	ApprovalScope  *string `json:"approval_scope"`
}

// CreateImage adds an image to the registry, approved unless the input says otherwise.
func (s *Service) CreateImage(ctx context.Context, actor string, in ImageInput) (airlock.Image, error) {
	ref, err := imageref.FromParts(in.Registry, in.Namespace, in.ImageName)
	if err != nil {
		return airlock.Image{}, err
	}
	img := airlock.Image{Registry: ref.Registry, Namespace: ref.Namespace, ImageName: ref.Name,
		Description: in.Description, Category: in.Category, IsOfficial: in.IsOfficial, ApprovalStatus: airlock.StatusApproved,
		ApprovalScope: airlock.ApprovalScopeImage}
	setIf(&img.ApprovalStatus, in.ApprovalStatus)
	setIf(&img.ApprovalScope, in.ApprovalScope)
	if err := validateDetails(img); err != nil {
		return img, err
	}
	setApproval(&img, img.ApprovalStatus, actor, s.DB.Now())
	err = s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		if img, err = catalog.CreateImage(ctx, tx, img); err != nil {
			return err
		}
		return catalog.SettleApprovals(ctx, tx, img)
	})
	return img, err
}

// UpdateImage applies in to image id.
func (s *Service) UpdateImage(ctx context.Context, actor string, id int64, in ImageUpdate) (airlock.Image, error) {
	var img airlock.Image
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if img, err = catalog.ImageForUpdate(ctx, tx, id); err != nil {
			return err
		}
		before := img
		setIf(&img.Description, in.Description)
		setIf(&img.Category, in.Category)
		setIf(&img.IsOfficial, in.IsOfficial)
		setIf(&img.ApprovalScope, in.ApprovalScope)
		if err := validateDetails(img); err != nil {
			return err
		}
		if in.ApprovalStatus != nil && *in.ApprovalStatus != img.ApprovalStatus {
			if err := validStatus(*in.ApprovalStatus); err != nil {
				return err
			}
			setApproval(&img, *in.ApprovalStatus, actor, tx.Now())
		}
		if img, err = catalog.UpdateImage(ctx, tx, img); err != nil {
			return err
		}
		if err := s.approvalChanged(ctx, tx, before, img); err != nil {
			return err
		}
		return catalog.SettleApprovals(ctx, tx, img)
	})
	if err != nil {
		return img, err
	}
	return catalog.Image(ctx, s.DB, id)
}

// DeleteImage removes an image and its tags. Its unfinished rollouts stop
// and the devices that got it are rolled back.
func (s *Service) DeleteImage(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		img, err := catalog.ImageForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.imageWithdrawn(ctx, tx, img, true, fmt.Sprintf("image %s was removed from the catalogue", repoOf(img))); err != nil {
			return err
		}
		return catalog.DeleteImage(ctx, tx, id)
	})
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func validateDetails(img airlock.Image) error {
	switch {
	case len(img.Description) > 2000:
		return airlock.FieldErrorf("description", "must be at most 2000 characters")
	case len(img.Category) > 64:
		return airlock.FieldErrorf("category", "must be at most 64 characters")
	case img.ApprovalScope != airlock.ApprovalScopeImage && img.ApprovalScope != airlock.ApprovalScopeRelease:
		return airlock.FieldErrorf("approval_scope", "must be image or release, got %q", img.ApprovalScope)
	}
	return validStatus(img.ApprovalStatus)
}

func validStatus(status string) error {
	switch status {
	case airlock.StatusPending, airlock.StatusApproved, airlock.StatusRejected:
		return nil
	}
	return airlock.FieldErrorf("approval_status", "must be pending, approved or rejected, got %q", status)
}
