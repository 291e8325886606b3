package openapi

import (
	"reflect"

	"github.com/airlock-iot/airlock/internal/cost"
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
	}
}

func oaCostSchemas() map[string]oaObj {
	return map[string]oaObj{
		"RolloutCost": oaInline().object(reflect.TypeFor[cost.Rollout]()),
		"CostMonth":   oaInline().object(reflect.TypeFor[cost.Month]()),
	}
}
