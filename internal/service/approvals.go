package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// InitWebhookSecret sets the secret deliveries must carry: the configured
// one, or the stored one, made and stored on first start. It returns the
// secret when it was just made, so the caller can show it once.
func (s *Service) InitWebhookSecret(ctx context.Context, configured string) (string, error) {
	if configured != "" {
		s.WebhookSecret = configured
		return "", nil
	}
	secret, created, err := s.DB.SettingOrInit(ctx, "webhook_secret", NewSecret("whs_", 24))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	s.WebhookSecret = secret
	if created {
		return secret, nil
	}
	return "", nil
}

// ApprovalRequests lists approval requests ("all" or none: every
// status), expired ones swept first.
func (s *Service) ApprovalRequests(ctx context.Context, f airlock.ApprovalFilter) ([]airlock.ApprovalRequest, int, error) {
	if f.Status == "all" {
		f.Status = ""
	}
	if f.Status != "" && !slices.Contains([]string{rules.StatusPending, rules.StatusApproved, rules.StatusRejected, rules.StatusExpired}, f.Status) {
		return nil, 0, airlock.FieldErrorf("status", "must be pending, approved, rejected, expired or all, got %q", f.Status)
	}
	if err := approvals.Sweep(ctx, s.DB); err != nil {
		return nil, 0, err
	}
	return catalog.ApprovalRequests(ctx, s.DB, f)
}

// Approve records by's approval of a pending request. Once its approvals
// rule is satisfied the image is created or approved and the tags it was
// pushed with are added, in the same transaction; a release-scoped
// request approves its digest alone. With deploy, OnApproved is told.
func (s *Service) Approve(ctx context.Context, by approvals.By, id int64, deploy bool) (airlock.ApprovalRequest, error) {
	return s.decide(ctx, by, id, rules.VerdictApprove, "", deploy)
}

// Reject records by's rejection: one rejection rejects. The image is then
// recorded as rejected, so later pushes of it are refused without raising
// a new request.
func (s *Service) Reject(ctx context.Context, by approvals.By, id int64, reason string) (airlock.ApprovalRequest, error) {
	if len(reason) > 1000 {
		return airlock.ApprovalRequest{}, airlock.FieldErrorf("reason", "must be at most 1000 characters")
	}
	return s.decide(ctx, by, id, rules.VerdictReject, reason, false)
}

func (s *Service) decide(ctx context.Context, by approvals.By, id int64, verdict, reason string, deploy bool) (airlock.ApprovalRequest, error) {
	if err := approvals.Sweep(ctx, s.DB); err != nil {
		return airlock.ApprovalRequest{}, err
	}
	var req airlock.ApprovalRequest
	err := s.DB.InTx(ctx, by.Name, func(tx *store.Tx) error {
		var err error
		if req, err = approvals.Decide(ctx, tx, id, by, verdict, reason, deploy); err != nil || req.Status == rules.StatusPending {
			return err
		}
		var img airlock.Image
		if req.Digest != "" { // a release-scoped request decides its digest, not the image
			img, err = catalog.ImageByName(ctx, tx, req.Registry, req.Namespace, req.ImageName)
		} else {
			img, err = s.imageForDecision(ctx, tx, req, req.Status)
		}
		for _, tag := range req.TagsSeen {
			if err != nil || req.Status != airlock.StatusApproved {
				break
			}
			_, err = catalog.CreateTag(ctx, tx, airlock.Tag{ImageID: img.ID, Tag: tag, Source: airlock.SourceAdmin})
			if airlock.ErrorCode(err) == airlock.ECONFLICT {
				err = nil
			}
		}
		return err
	})
	if err == nil && req.Status == airlock.StatusApproved && s.OnApproved != nil {
		s.OnApproved(ctx, req, approvals.DeployRequested(req))
	}
	return req, err
}

// imageForDecision brings the requested image to status, creating it if needed.
func (s *Service) imageForDecision(ctx context.Context, tx *store.Tx, req airlock.ApprovalRequest, status string) (airlock.Image, error) {
	img, err := catalog.ImageByName(ctx, tx, req.Registry, req.Namespace, req.ImageName)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		img = airlock.Image{Registry: req.Registry, Namespace: req.Namespace, ImageName: req.ImageName}
		setApproval(&img, status, tx.Actor, tx.Now())
		return catalog.CreateImage(ctx, tx, img)
	}
	if err != nil || img.ApprovalStatus == status {
		return img, err
	}
	before := img
	setApproval(&img, status, tx.Actor, tx.Now())
	if img, err = catalog.UpdateImage(ctx, tx, img); err != nil {
		return img, err
	}
	return img, s.approvalChanged(ctx, tx, before, img)
}

// BulkResult is the outcome of one request of a bulk decision.
type BulkResult = approvals.BulkResult

// Bulk approves or rejects several requests, each in its own transaction,
// so one decided meanwhile by someone else does not undo the others.
func (s *Service) Bulk(ctx context.Context, by approvals.By, ids []int64, action, reason string) ([]BulkResult, error) {
	return approvals.Bulk(ids, action, func(id int64) (airlock.ApprovalRequest, error) {
		if action == "approve" {
			return s.Approve(ctx, by, id, false)
		}
		return s.Reject(ctx, by, id, reason)
	})
}
