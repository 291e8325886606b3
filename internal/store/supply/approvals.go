package supply

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// AddDecision appends d to the decisions of pending request id and
// records it as an event; settling the request is catalog.DecideApproval's.
func AddDecision(ctx context.Context, tx *store.Tx, id int64, d airlock.ApprovalDecision) (airlock.ApprovalRequest, error) {
	req, err := catalog.ApprovalForUpdate(ctx, tx, id)
	if err != nil {
		return req, err
	}
	req.Decisions = append(req.Decisions, d)
	b, err := json.Marshal(req.Decisions)
	if err != nil {
		return req, err
	}
	if _, err := tx.Exec(ctx, `UPDATE image_approval_requests SET decisions = $1 WHERE id = $2 AND status = 'pending'`,
		string(b), id); err != nil {
		return req, store.WrapErr(fmt.Errorf("record decision: %w", err))
	}
	if d.Verdict == "approve" {
		req.Approvals++
	}
	return req, tx.AddEvent(ctx, "image.approval_decision", catalog.ApprovalSubject(id), map[string]any{
		"request_id": id, "image": repository(req), "digest": req.Digest, "by": d.By, "verdict": d.Verdict,
		"reason": d.Reason, "deploy": d.Deploy, "approvals": req.Approvals, "required": req.Required})
}

// ExpireApprovals moves every pending request past its expiry to expired.
func ExpireApprovals(ctx context.Context, tx *store.Tx) (int, error) {
	rows, err := tx.Query(ctx, `UPDATE image_approval_requests SET status = 'expired', decided_at = $1
		WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1 RETURNING `+catalog.ApprovalCols, tx.Now())
	if err != nil {
		return 0, store.WrapErr(fmt.Errorf("expire approval requests: %w", err))
	}
	expired, err := store.Collect(rows, catalog.ScanApproval)
	if err != nil {
		return 0, err
	}
	for _, a := range expired {
		if err := tx.AddEvent(ctx, "image.approval_expired", catalog.ApprovalSubject(a.ID), a); err != nil {
			return 0, err
		}
	}
	return len(expired), nil
}

// SetWarnAt sets when request id is to be warned of as about to expire.
func SetWarnAt(ctx context.Context, tx *store.Tx, id int64, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE image_approval_requests SET warn_at = $1 WHERE id = $2`, at, id)
	return store.WrapErr(err)
}

// WarnExpiring marks, once each, the pending requests past their warn_at,
// recording an image.approval_expiring event for notifications.
func WarnExpiring(ctx context.Context, tx *store.Tx) (int, error) {
	rows, err := tx.Query(ctx, `UPDATE image_approval_requests SET warned_at = $1
		WHERE status = 'pending' AND warned_at IS NULL AND warn_at IS NOT NULL AND warn_at <= $1
		RETURNING `+catalog.ApprovalCols, tx.Now())
	if err != nil {
		return 0, store.WrapErr(fmt.Errorf("warn of expiring approval requests: %w", err))
	}
	soon, err := store.Collect(rows, catalog.ScanApproval)
	if err != nil {
		return 0, err
	}
	for _, a := range soon {
		if err := tx.AddEvent(ctx, "image.approval_expiring", catalog.ApprovalSubject(a.ID), a); err != nil {
			return 0, err
		}
	}
	return len(soon), nil
}

// LatestApproval is the newest request for the image, for digest if one
// was raised for it, else for the image as a whole; nil if none.
func LatestApproval(ctx context.Context, db *store.DB, registry, namespace, name, digest string) (*airlock.ApprovalRequest, error) {
	a, err := catalog.ScanApproval(db.QueryRow(ctx, `SELECT `+catalog.ApprovalCols+` FROM image_approval_requests
		WHERE registry = $1 AND namespace = $2 AND image_name = $3 AND (digest = $4 OR digest = '')
		ORDER BY CASE WHEN digest = '' THEN 1 ELSE 0 END, id DESC LIMIT 1`, registry, namespace, name, digest))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, store.WrapErr(fmt.Errorf("latest approval request: %w", err))
	}
	return &a, nil
}

func repository(a airlock.ApprovalRequest) string {
	if a.Namespace == "" {
		return a.Registry + "/" + a.ImageName
	}
	return a.Registry + "/" + a.Namespace + "/" + a.ImageName
}

// ApprovalScope is the image's approval scope; an image not in the
// catalogue has the default, image.
func ApprovalScope(ctx context.Context, tx *store.Tx, registry, namespace, name string) (string, error) {
	var scope string
	err := tx.QueryRow(ctx, `SELECT approval_scope FROM images WHERE registry = $1 AND namespace = $2 AND image_name = $3`,
		registry, namespace, name).Scan(&scope)
	if errors.Is(err, sql.ErrNoRows) {
		return airlock.ApprovalScopeImage, nil
	}
	return scope, store.WrapErr(err)
}

// DigestApproved reports whether an approval request for this digest of
// the image was approved: what a release-scoped image needs to deploy.
func DigestApproved(ctx context.Context, tx *store.Tx, registry, namespace, name, digest string) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM image_approval_requests WHERE registry = $1 AND namespace = $2
		AND image_name = $3 AND digest = $4 AND status = 'approved'`, registry, namespace, name, digest).Scan(&n)
	return n > 0, store.WrapErr(err)
}
