package service

import (
	"context"
	"fmt"

	"github.com/airlock-iot/airlock/internal/airlock"
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

// ApprovalRequests lists approval requests.
func (s *Service) ApprovalRequests(ctx context.Context, f airlock.ApprovalFilter) ([]airlock.ApprovalRequest, int, error) {
	if f.Status != "" {
		if err := validStatus(f.Status); err != nil {
			return nil, 0, airlock.FieldErrorf("status", "%s", airlock.ErrorMessage(err))
		}
	}
	return catalog.ApprovalRequests(ctx, s.DB, f)
}

// Approve approves a pending request: the image is created or approved and
// the tags it was pushed with are added, in one transaction.
func (s *Service) Approve(ctx context.Context, actor string, id int64) (airlock.ApprovalRequest, error) {
	var req airlock.ApprovalRequest
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if req, err = decide(ctx, tx, id, airlock.StatusApproved, ""); err != nil {
			return err
		}
		img, err := s.imageForDecision(ctx, tx, req, airlock.StatusApproved)
		if err != nil {
			return err
		}
		for _, tag := range req.TagsSeen {
			_, err := catalog.CreateTag(ctx, tx, airlock.Tag{ImageID: img.ID, Tag: tag, Source: airlock.SourceAdmin})
			if err != nil && airlock.ErrorCode(err) != airlock.ECONFLICT {
				return err
			}
		}
		return nil
	})
	return req, err
}

// Reject rejects a pending request. The image is recorded as rejected, so
// later pushes of it are refused without raising a new request.
func (s *Service) Reject(ctx context.Context, actor string, id int64, reason string) (airlock.ApprovalRequest, error) {
	if len(reason) > 1000 {
		return airlock.ApprovalRequest{}, airlock.FieldErrorf("reason", "must be at most 1000 characters")
	}
	var req airlock.ApprovalRequest
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if req, err = decide(ctx, tx, id, airlock.StatusRejected, reason); err != nil {
			return err
		}
		_, err = s.imageForDecision(ctx, tx, req, airlock.StatusRejected)
		return err
	})
	return req, err
}

// decide decides a pending request; one decided already is a conflict.
func decide(ctx context.Context, tx *store.Tx, id int64, status, reason string) (airlock.ApprovalRequest, error) {
	req, err := catalog.ApprovalForUpdate(ctx, tx, id)
	if err != nil {
		return req, err
	}
	if req.Status != airlock.StatusPending {
		return req, airlock.Errorf(airlock.ECONFLICT, "approval request %d is already %s", id, req.Status)
	}
	return catalog.DecideApproval(ctx, tx, id, status, reason)
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
type BulkResult struct {
	ID      int64                    `json:"id"`
	Request *airlock.ApprovalRequest `json:"request,omitempty"`
	Error   map[string]any           `json:"error,omitempty"`
}

// Bulk approves or rejects several requests, each in its own transaction,
// so one decided meanwhile by someone else does not undo the others.
func (s *Service) Bulk(ctx context.Context, actor string, ids []int64, action, reason string) ([]BulkResult, error) {
	if action != "approve" && action != "reject" {
		return nil, airlock.FieldErrorf("action", "must be approve or reject, got %q", action)
	}
	if len(ids) == 0 || len(ids) > 500 {
		return nil, airlock.FieldErrorf("ids", "must list 1 to 500 request ids")
	}
	out := make([]BulkResult, len(ids))
	for i, id := range ids {
		var req airlock.ApprovalRequest
		var err error
		if action == "approve" {
			req, err = s.Approve(ctx, actor, id)
		} else {
			req, err = s.Reject(ctx, actor, id, reason)
		}
		out[i] = BulkResult{ID: id}
		if err != nil {
			if airlock.ErrorCode(err) == airlock.EINTERNAL || airlock.ErrorCode(err) == airlock.EUNAVAILABLE {
				return nil, err
			}
			out[i].Error = map[string]any{"code": airlock.ErrorCode(err), "message": airlock.ErrorMessage(err)}
			continue
		}
		out[i].Request = &req
	}
	return out, nil
}
