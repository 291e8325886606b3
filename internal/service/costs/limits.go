package costs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/store"
	costdb "github.com/airlock-iot/airlock/internal/store/costs"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// Hold is the releases' Cost hook: the reason to hold release r for an
// approver when rolling it out to devices would go over policy policyID's
// limits, or "" when it may go (no limits, within them, or an approver
// released its hold already).
func Hold(ctx context.Context, tx *store.Tx, r release.Release, policyID int64, devices []releases.CostDevice) (string, error) {
	limits, err := costdb.Limits(ctx, tx, policyID)
	if err != nil || limits == (cost.Limits{}) {
		return "", err
	}
	if released, err := costdb.HoldReleased(ctx, tx, r.ID); err != nil || released {
		return "", err
	}
	rules, err := costdb.Rules(ctx, tx)
	if err != nil {
		return "", err
	}
	devs := make([]costdb.Device, len(devices))
	for i, d := range devices {
		devs[i] = costdb.Device{Digest: r.Digest, UUID: d.UUID, Platform: d.Platform, Labels: d.Labels, Previous: d.Previous}
	}
	ro, err := priced(ctx, tx, rules, devs)
	if err != nil {
		return "", err
	}
	check := cost.CheckLimits(limits, ro)
	if !check.Hold {
		return "", nil
	}
	return "held for an approver: " + strings.Join(check.Reasons, "; "), nil
}

// ReleaseHold lets release id, held for its cost, roll out: the approver
// (actor) is recorded with the figures it was held on, and the release is
// reconsidered at once.
func (c Costs) ReleaseHold(ctx context.Context, actor string, id int64,
	reconsider func(ctx context.Context, actor string, id int64) (releases.Outcome, error)) (releases.Outcome, error) {
	err := c.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		r, err := releasedb.ForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		lifted, ok := release.Lift(r, release.HoldCost, "cost hold released by "+actor)
		if !ok {
			return airlock.Errorf(airlock.ECONFLICT, "release %d is not held for its cost (status %s)", id, r.Status)
		}
		if err := costdb.ReleaseHold(ctx, tx, id, r.Reason); err != nil {
			return err
		}
		if _, err := releasedb.Update(ctx, tx, lifted); err != nil {
			return err
		}
		return tx.AddEvent(ctx, "release.cost_hold_released", releasedb.Subject(id),
			map[string]any{"release_id": id, "held_for": r.Reason})
	})
	if err != nil {
		return releases.Outcome{}, err
	}
	return reconsider(ctx, actor, id)
}

// Rules is the global cost rules.
func (c Costs) Rules(ctx context.Context) ([]cost.Rule, error) { return costdb.Rules(ctx, c.DB) }

// SetRules validates and replaces the global cost rules.
func (c Costs) SetRules(ctx context.Context, actor string, raw json.RawMessage) ([]cost.Rule, error) {
	rules, err := cost.ParseRules("cost_rules", raw)
	if err != nil {
		return nil, err
	}
	if rules == nil { // an absent or null list clears the rules
		rules = []cost.Rule{}
	}
	return rules, c.DB.InTx(ctx, actor, func(tx *store.Tx) error { return costdb.SetRules(ctx, tx, rules) })
}

// Limits is policy id's cost limits.
func (c Costs) Limits(ctx context.Context, policyID int64) (cost.Limits, error) {
	if err := c.policyExists(ctx, c.DB, policyID); err != nil {
		return cost.Limits{}, err
	}
	return costdb.Limits(ctx, c.DB, policyID)
}

// SetLimits validates and replaces policy id's cost limits.
func (c Costs) SetLimits(ctx context.Context, actor string, policyID int64, l cost.Limits) (cost.Limits, error) {
	if err := cost.ValidateLimits(l); err != nil {
		return cost.Limits{}, err
	}
	return l, c.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		if err := c.policyExists(ctx, tx, policyID); err != nil {
			return err
		}
		return costdb.SetLimits(ctx, tx, policyID, l)
	})
}

func (c Costs) policyExists(ctx context.Context, q querier, id int64) error {
	ok, err := costdb.Exists(ctx, q, "image_update_policies", id)
	if err == nil && !ok {
		err = airlock.Errorf(airlock.ENOTFOUND, "policy %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("policy %d: %w", id, err)
	}
	return nil
}
