package openapi

import (
	"reflect"

	"github.com/airlock-iot/airlock/internal/api/supplyapi"
	"github.com/airlock-iot/airlock/internal/overview"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/supply"
)

// Who may post scan reports and check results, besides approvers and admins.
const (
	authScanner = "scanner"
	authCI      = "ci"
)

// oaSupplyOps documents the supply-chain rules and their evidence.
func oaSupplyOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/rules", auth: authViewer, tag: "rules", summary: "List the supply-chain rules, in evaluation order", status: 200, resp: oaList("Rule")},
		{method: "POST", path: "/api/v1/rules", auth: authAdmin, tag: "rules", summary: "Add a rule",
			desc: "Fields beside the common ones are the kind's own; an unknown field is a 422 naming it. " +
				"A signature rule's keys and trusted_root must load.", body: "Rule", status: 201, resp: oaRef("Rule"), errs: []int{409}},
		{method: "GET", path: "/api/v1/rules/{id}", auth: authViewer, tag: "rules", summary: "Get a rule", status: 200, resp: oaRef("Rule")},
		{method: "PUT", path: "/api/v1/rules/{id}", auth: authAdmin, tag: "rules", summary: "Replace a rule", body: "Rule", status: 200, resp: oaRef("Rule"), errs: []int{409}},
		{method: "DELETE", path: "/api/v1/rules/{id}", auth: authAdmin, tag: "rules", summary: "Remove a rule", status: 204},
		{method: "POST", path: "/api/v1/rules/evaluate", auth: authApprover, tag: "rules", summary: "Judge a release by the rules now, changing nothing",
			desc: "Gathers the evidence (signatures and labels from the registry, scan reports, approvals, checks) and returns each matching rule's verdict.",
			body: "EvaluateInput", status: 200, resp: oaRef("Outcome")},
		{method: "POST", path: "/api/v1/scan-reports", auth: authScanner, tag: "rules", summary: "Post a Trivy (SchemaVersion 2) or Grype JSON report",
			desc: "The format is detected; the digest comes from the report. At most 32 MiB.", body: "ScanReportInput", status: 201, resp: oaRef("StoredReport")},
		{method: "GET", path: "/api/v1/scan-reports/{digest}", auth: authViewer, tag: "rules", summary: "The latest scan report of a digest: counts by severity and findings",
			status: 200, resp: oaRef("ScanReport"), errs: []int{422}},
		{method: "POST", path: "/api/v1/scan-reports/harbor", auth: authWebhook, tag: "webhooks", summary: "Harbor's SCANNING_COMPLETED webhook",
			desc: "Stores each scanned digest's counts by severity; Harbor's other events are acknowledged and ignored.",
			body: "Payload", status: 200, resp: oaObj{"type": "object", "properties": oaObj{"scan": oaBool, "reports": oaObj{"type": "array", "items": oaRef("StoredReport")}}}},
		{method: "POST", path: "/api/v1/releases/by-digest/{digest}/checks", auth: authCI, tag: "rules", summary: "Report a CI check's status for a digest",
			body: "CheckInput", status: 204},
		{method: "GET", path: "/api/v1/fleet/images", auth: authViewer, tag: "devices", summary: "The fleet per image: device apps on its latest release, updating, behind, failing",
			desc:   "Every image some device is told to run. The latest release is the newest ready one; with none known, apps that run their target count as on latest.",
			status: 200, resp: oaList("FleetImage")},
		{method: "POST", path: "/api/v1/releases/{id}/checks", auth: authCI, tag: "rules", summary: "Report a CI check's status for a release's digest",
			desc: "Checks are kept per digest; a release that has no digest yet is a 409.", body: "CheckInput", status: 204, errs: []int{404, 409}},
		{method: "GET", path: "/api/v1/events/export", auth: authViewer, tag: "events", summary: "Export the audit trail, oldest first, streamed",
			query: []oaObj{oaQuery("format", oaObj{"type": "string", "enum": []string{"jsonl", "csv"}, "default": "jsonl"}, "JSON lines, or CSV with a header"),
				oaQuery("type", oaStr, "an event type, or a prefix ending in *"), oaQuery("subject", oaStr, "a subject (approval-request/3), or a prefix ending in *")},
			status: 200, resp: oaStr, respType: "application/jsonl"},
	}
}

// oaRuleSchema lists the common fields and every kind's own.
func oaRuleSchema() oaObj {
	s := oaInline()
	props := oaObj{"id": oaObj{"type": "integer", "readOnly": true}, "name": oaObj{"type": "string", "maxLength": 100},
		"image_pattern": oaObj{"type": "string", "description": "the policy pattern syntax"},
		"kind":          oaObj{"type": "string", "enum": rules.Kinds},
		"mode":          oaObj{"type": "string", "enum": []string{rules.ModeEnforce, rules.ModeWarn}, "default": rules.ModeEnforce}}
	for _, t := range []reflect.Type{reflect.TypeFor[rules.Signature](), reflect.TypeFor[rules.Vulnerabilities](),
		reflect.TypeFor[rules.Tag](), reflect.TypeFor[rules.Registries](), reflect.TypeFor[rules.Age](),
		reflect.TypeFor[rules.Labels](), reflect.TypeFor[rules.Approvals](), reflect.TypeFor[rules.Checks](),
		reflect.TypeFor[rules.TestRing]()} {
		for k, v := range s.object(t)["properties"].(oaObj) {
			props[k] = v
		}
	}
	return oaObj{"type": "object", "required": []string{"name", "image_pattern", "kind"}, "properties": props,
		"description": "A supply-chain rule: the common fields and those of its kind only."}
}

func oaSupplySchemas() map[string]oaObj {
	return map[string]oaObj{
		"Rule":            oaRuleSchema(),
		"ScanReportInput": {"type": "object", "description": "a Trivy JSON report (SchemaVersion 2) or a Grype JSON report, as the scanner wrote it"},
		"StoredReport":    oaInline().object(reflect.TypeFor[supply.Stored]()),
		"EvaluateInput":   oaInline().object(reflect.TypeFor[supplyapi.EvaluateInput]()),
		"Outcome":         oaInline().object(reflect.TypeFor[rules.Outcome]()),
		"ScanReport":      oaInline().object(reflect.TypeFor[rules.ScanReport]()),
		"FleetImage":      oaInline().object(reflect.TypeFor[overview.Image]()),
		"CheckInput": {"type": "object", "required": []string{"name", "status"}, "properties": oaObj{"name": oaStr,
			"status": oaObj{"type": "string", "enum": []string{rules.CheckPending, rules.CheckSuccess, rules.CheckFailure}},
			"url":    oaStr, "summary": oaStr}},
	}
}
