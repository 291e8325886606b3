package openapi

import (
	"reflect"

	"github.com/airlock-iot/airlock/internal/cost"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/costs"
)

// oaCostOps documents sizes, downloads and costs (issue 23).
func oaCostOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/rollouts/{id}", auth: authViewer, tag: "rollouts",
			summary: "Get a rollout with counts per status and per batch, the bytes its devices download and their cost",
			desc: "download_bytes counts, per device, the config and layers its previous image lacks (all of them when that image " +
				"was never inspected); cost prices them under the cost rules, estimated over every device and actual over those that " +
				"reported the new image.", status: 200, resp: oaObj{"allOf": []oaObj{oaRef("Rollout"), oaObj{"type": "object",
				"properties": oaObj{"download_bytes": oaObj{"type": "integer"}, "cost": oaRef("RolloutCost")}}}}},
		{method: "GET", path: "/api/v1/images/{id}/costs", auth: authViewer, tag: "images",
			summary: "An image's actual download cost by month and currency, priced under the cost rules as they are now",
			status:  200, resp: oaList("CostMonth")},
		{method: "GET", path: "/api/v1/cost-rules", auth: authViewer, tag: "policies", summary: "The global cost rules",
			status: 200, resp: oaRef("CostRules")},
		{method: "PUT", path: "/api/v1/cost-rules", auth: authAdmin, tag: "policies", summary: "Replace the global cost rules",
			desc: "A device is priced by the rule matching the most of its labels (a rule without labels is the default); " +
				"every rule has the one currency.", body: "CostRules", status: 200, resp: oaRef("CostRules")},
		{method: "GET", path: "/api/v1/policies/{id}/cost-limits", auth: authViewer, tag: "policies", summary: "A policy's cost limits (0: none)",
			status: 200, resp: oaRef("CostLimits")},
		{method: "PUT", path: "/api/v1/policies/{id}/cost-limits", auth: authAdmin, tag: "policies", summary: "Replace a policy's cost limits",
			desc: "A rollout of the policy that would make a device download more than max_download_bytes_per_device, or cost more " +
				"than max_rollout_cost, is held (release hold cost) with the figures until an approver releases it.",
			body: "CostLimits", status: 200, resp: oaRef("CostLimits")},
		{method: "POST", path: "/api/v1/releases/{id}/release-hold", auth: authApprover, tag: "releases",
			summary: "Release a release held for its cost: it is decided again and rolls out", status: 200,
			resp: oaObj{"type": "object", "properties": oaObj{"release": oaObj{"type": "object"},
				"rollout": oaObj{"type": []string{"null", "object"}}, "reason": oaStr}}, errs: []int{409}},
	}
}

func oaCostSchemas() map[string]oaObj {
	return map[string]oaObj{
		"RolloutCost": oaInline().object(reflect.TypeFor[cost.Rollout]()),
		"ReleaseSize": oaInline().object(reflect.TypeFor[costs.Size]()),
		"ApprovalRequestWithChecks": {"allOf": []oaObj{oaRef("ApprovalRequest"), {"type": "object", "required": []string{"checks"},
			"properties": oaObj{"checks": oaObj{"type": "object", "description": "the checks reported for the request's digest, by name",
				"additionalProperties": oaInline().object(reflect.TypeFor[rules.Check]())}}}}},
		"CostMonth":  oaInline().object(reflect.TypeFor[cost.Month]()),
		"CostLimits": oaInline().object(reflect.TypeFor[cost.Limits]()),
		"CostRules": {"type": "object", "required": []string{"cost_rules"}, "properties": oaObj{"cost_rules": oaObj{
			"type": "array", "items": oaInline().object(reflect.TypeFor[cost.Rule]())}}},
	}
}
