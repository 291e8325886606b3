package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const approvalCols = `id, registry, namespace, image_name, tag, tags_seen, status, source, request_count,
	first_seen_at, last_seen_at, decided_by, decided_at, reason, pusher, digest, rule, required, expires_at, decisions`

func scanApproval(s store.Scanner) (airlock.ApprovalRequest, error) {
	var a airlock.ApprovalRequest
	var tags, decisions string
	var decidedAt, expiresAt store.NullTime
	err := s.Scan(&a.ID, &a.Registry, &a.Namespace, &a.ImageName, &a.Tag, &tags, &a.Status, &a.Source,
		&a.RequestCount, (*store.TimeScan)(&a.FirstSeenAt), (*store.TimeScan)(&a.LastSeenAt), &a.DecidedBy, &decidedAt, &a.Reason,
		&a.Pusher, &a.Digest, &a.Rule, &a.Required, &expiresAt, &decisions)
	if err != nil {
		return a, err
	}
	a.DecidedAt, a.ExpiresAt = decidedAt.Ptr(), expiresAt.Ptr()
	if err := json.Unmarshal([]byte(tags), &a.TagsSeen); err != nil {
		return a, fmt.Errorf("approval request %d tags_seen: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(decisions), &a.Decisions); err != nil {
		return a, fmt.Errorf("approval request %d decisions: %w", a.ID, err)
	}
	for _, d := range a.Decisions {
		if d.Verdict == "approve" {
			a.Approvals++
		}
	}
	return a, nil
}

// ScanApproval reads a row of ApprovalCols, for the approvals store.
func ScanApproval(s store.Scanner) (airlock.ApprovalRequest, error) { return scanApproval(s) }

// ApprovalCols are the columns ScanApproval reads.
const ApprovalCols = approvalCols

// ApprovalSubject is the events subject of approval request id.
func ApprovalSubject(id int64) string { return approvalSubject(id) }

func approvalSubject(id int64) string { return fmt.Sprintf("approval-request/%d", id) }

// RequestApproval creates the pending approval request for an image, or bumps
// the one there is: one request per image however many pushes arrive. It
// reports whether the request is new. A request for a digest (a
// release-scoped image) is one per digest; its pusher, rule, required
// count and expiry are those of the push that raised it.
func RequestApproval(ctx context.Context, tx *store.Tx, r airlock.ApprovalRequest) (airlock.ApprovalRequest, bool, error) {
	now := tx.Now()
	tags, _ := json.Marshal([]string{r.Tag})
	got, err := scanApproval(tx.QueryRow(ctx, `INSERT INTO image_approval_requests
		(registry, namespace, image_name, tag, tags_seen, status, source, request_count, first_seen_at, last_seen_at,
		 pusher, digest, rule, required, expires_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', $6, 1, $7, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (registry, namespace, image_name, digest) WHERE status = 'pending'
		DO UPDATE SET request_count = image_approval_requests.request_count + 1, last_seen_at = $7, tag = $4
		RETURNING `+approvalCols, r.Registry, r.Namespace, r.ImageName, r.Tag, string(tags), r.Source, now,
		r.Pusher, r.Digest, r.Rule, max(r.Required, 1), r.ExpiresAt))
	if err != nil {
		return got, false, store.WrapErr(fmt.Errorf("request approval: %w", err))
	}
	created := got.RequestCount == 1
	if !slices.Contains(got.TagsSeen, r.Tag) {
		got.TagsSeen = append(got.TagsSeen, r.Tag)
		seen, _ := json.Marshal(got.TagsSeen)
		if _, err := tx.Exec(ctx, `UPDATE image_approval_requests SET tags_seen = $1 WHERE id = $2`, string(seen), got.ID); err != nil {
			return got, false, fmt.Errorf("record tag seen: %w", err)
		}
	}
	if created {
		err = tx.AddEvent(ctx, "image.approval_requested", approvalSubject(got.ID), got)
	}
	return got, created, err
}

// ApprovalForUpdate reads an approval request inside the transaction, locking it.
func ApprovalForUpdate(ctx context.Context, tx *store.Tx, id int64) (airlock.ApprovalRequest, error) {
	a, err := scanApproval(tx.QueryRow(ctx, `SELECT `+approvalCols+` FROM image_approval_requests WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return a, store.NotFound(err, "approval request %d not found", id)
	}
	return a, nil
}

// DecideApproval moves a pending request to approved or rejected. A request
// decided already is a conflict, even under concurrent decisions.
func DecideApproval(ctx context.Context, tx *store.Tx, id int64, status, reason string) (airlock.ApprovalRequest, error) {
	a, err := scanApproval(tx.QueryRow(ctx, `UPDATE image_approval_requests
		SET status = $1, reason = $2, decided_by = $3, decided_at = $4
		WHERE id = $5 AND status = 'pending' RETURNING `+approvalCols, status, reason, tx.Actor, tx.Now(), id))
	if err != nil {
		return a, store.NotFoundAs(err, airlock.ECONFLICT, "approval request %d is not pending", id)
	}
	return a, tx.AddEvent(ctx, "image.approval_"+status, approvalSubject(id), a)
}

// ApprovalRequests lists requests, newest first, with the total matching.
func ApprovalRequests(ctx context.Context, db *store.DB, f airlock.ApprovalFilter) ([]airlock.ApprovalRequest, int, error) {
	where, args := "", []any{}
	if f.Status != "" {
		where, args = " WHERE status = $1", append(args, f.Status)
	}
	var total int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM image_approval_requests`+where, args...).Scan(&total); err != nil {
		return nil, 0, store.WrapErr(err)
	}
	n := len(args)
	q := fmt.Sprintf(`SELECT %s FROM image_approval_requests%s ORDER BY last_seen_at DESC, id DESC LIMIT $%d OFFSET $%d`,
		approvalCols, where, n+1, n+2)
	rows, err := db.Query(ctx, q, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	items, err := store.Collect(rows, scanApproval)
	return items, total, err
}

// SettleApprovals decides the pending request for an image, if there is one,
// when an admin approves or rejects the image directly: the queue should not
// keep asking about an image already decided.
func SettleApprovals(ctx context.Context, tx *store.Tx, img airlock.Image) error {
	if img.ApprovalStatus == airlock.StatusPending {
		return nil
	}
	rows, err := tx.Query(ctx, `UPDATE image_approval_requests SET status = $1, decided_by = $2, decided_at = $3
		WHERE registry = $4 AND namespace = $5 AND image_name = $6 AND status = 'pending' RETURNING `+approvalCols,
		img.ApprovalStatus, tx.Actor, tx.Now(), img.Registry, img.Namespace, img.ImageName)
	if err != nil {
		return fmt.Errorf("settle approval requests: %w", err)
	}
	settled, err := store.Collect(rows, scanApproval)
	if err != nil {
		return err
	}
	for _, a := range settled {
		if err := tx.AddEvent(ctx, "image.approval_"+a.Status, approvalSubject(a.ID), a); err != nil {
			return err
		}
	}
	return nil
}
