// Package approvals decides approval requests under the approvals rules
// (issue 17): N of M approvers, separation of duties with the pusher,
// expiry, one rejection rejects, and every decision recorded.
package approvals

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
)

// By is who decides: the token's name and role.
type By struct {
	Name, Role string
}

// anyApprover is the rule of an image no approvals rule matches: one
// approval by any approver decides, as before approvals rules existed.
var anyApprover = rules.Approvals{Required: 1}

// governing is the approvals rule of a request: the one named when it was
// raised if it still exists, else the first enforce approvals rule that
// matches the image and tag, else anyApprover.
func governing(rs []rules.Rule, named, repo, tag string) (string, *rules.Approvals) {
	var first *rules.Rule
	for i := range rs {
		r := &rs[i]
		if r.Kind != rules.KindApprovals || r.Mode != rules.ModeEnforce || r.Approvals == nil {
			continue
		}
		if named != "" && r.Name == named {
			return r.Name, r.Approvals
		}
		if p, err := policy.ParsePattern(r.ImagePattern); err == nil && first == nil && p.Match(repo, tag) {
			first = r
		}
	}
	if first == nil {
		return "", &anyApprover
	}
	return first.Name, first.Approvals
}

func repository(a airlock.ApprovalRequest) string {
	return imageref.Ref{Registry: a.Registry, Namespace: a.Namespace, Name: a.ImageName}.Repository()
}

// Raise raises or bumps the approval request for a push (Registry,
// Namespace, ImageName, Tag, Source, Pusher and Digest set) under the
// approvals rule that matches it: its name, required count and expiry. The
// digest is kept only for an image whose approval_scope is release, so
// that other images keep one request per image.
func Raise(ctx context.Context, tx *store.Tx, r airlock.ApprovalRequest) (airlock.ApprovalRequest, bool, error) {
	rs, err := supplydb.RulesTx(ctx, tx)
	if err != nil {
		return r, false, err
	}
	name, rule := governing(rs, "", repository(r), r.Tag)
	r.Rule, r.Required = name, max(rule.Required, 1)
	d, err := time.ParseDuration(rule.ExpiresAfter)
	if err == nil && d > 0 {
		at := tx.Now().Add(d)
		r.ExpiresAt = &at
	}
	scope, err := supplydb.ApprovalScope(ctx, tx, r.Registry, r.Namespace, r.ImageName)
	if err != nil {
		return r, false, err
	}
	if scope != airlock.ApprovalScopeRelease {
		r.Digest = ""
	}
	req, created, err := catalog.RequestApproval(ctx, tx, r)
	if err == nil && created && req.ExpiresAt != nil {
		err = supplydb.SetWarnAt(ctx, tx, req.ID, req.ExpiresAt.Add(-min(ExpiryWarning, d/4)))
	}
	return req, created, err
}

// ExpiryWarning is how long before it expires a request is notified as
// about to expire, at most: a quarter of its lifetime if that is shorter.
const ExpiryWarning = time.Hour

// Decide records by's verdict on pending request id and settles the
// request once its rule says so. It returns the request and its status.
// The pusher deciding under separate duties, or anyone not among the
// rule's approvers, is an EFORBIDDEN; a second decision by the same
// identity, or a request decided or expired, an ECONFLICT.
func Decide(ctx context.Context, tx *store.Tx, id int64, by By, verdict, reason string, deploy bool) (airlock.ApprovalRequest, error) {
	req, err := catalog.ApprovalForUpdate(ctx, tx, id)
	if err != nil {
		return req, err
	}
	if req.Status != airlock.StatusPending {
		return req, airlock.Errorf(airlock.ECONFLICT, "approval request %d is already %s", id, req.Status)
	}
	rs, err := supplydb.RulesTx(ctx, tx)
	if err != nil {
		return req, err
	}
	_, rule := governing(rs, req.Rule, repository(req), req.Tag)
	now := tx.Now()
	d := rules.Decision{By: by.Name, Roles: []string{by.Role}, At: now, Verdict: verdict, Reason: reason}
	if err := rules.CanDecide(rule, *supply.ApprovalOf(req), d, now); err != nil {
		return req, err
	}
	req, err = supplydb.AddDecision(ctx, tx, id, airlock.ApprovalDecision{By: by.Name, Role: by.Role, At: now,
		Verdict: verdict, Reason: reason, Deploy: deploy && verdict == rules.VerdictApprove})
	if err != nil {
		return req, err
	}
	st := rules.State(rule, *supply.ApprovalOf(req), now)
	if st.Status == rules.StatusPending {
		return req, nil
	}
	decided, err := catalog.DecideApproval(ctx, tx, id, st.Status, reason)
	if err != nil {
		return req, fmt.Errorf("settle approval request %d: %w", id, err)
	}
	return decided, nil
}

// DeployRequested reports whether an approver asked for the release that
// raised req to be deployed once approved.
func DeployRequested(req airlock.ApprovalRequest) bool {
	for _, d := range req.Decisions {
		if d.Deploy {
			return true
		}
	}
	return false
}

// Sweep expires the pending requests past their expiry and records, once
// each, those about to (image.approval_expiring, which is notified).
// Deciding and listing sweep first, so an expired request never reads as
// pending.
func Sweep(ctx context.Context, db *store.DB) error {
	return db.InTx(ctx, "", func(tx *store.Tx) error {
		if _, err := supplydb.ExpireApprovals(ctx, tx); err != nil {
			return err
		}
		_, err := supplydb.WarnExpiring(ctx, tx)
		return err
	})
}

// Sweeping runs Sweep every interval until ctx ends or stop is called, so
// that requests expire, and are warned of, with nobody looking. Replicas
// may all sweep: each request is expired and warned of once.
func Sweeping(ctx context.Context, db *store.DB, every time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := Sweep(ctx, db); err != nil && ctx.Err() == nil {
					log.WarnContext(ctx, "sweeping approval requests", "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
