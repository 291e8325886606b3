package openapi

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/web"
)

// Who may call a route, as api's Auth names it.
const (
	authPublic   = "public"
	authViewer   = "viewer"
	authApprover = "approver"
	authAdmin    = "admin"
	authDevice   = "device"
	authWebhook  = "webhook"
)

// oaOp documents one route.
type oaOp struct {
	method, path string
	auth         string // public, viewer, …
	tag, summary string
	desc         string
	query        []oaObj // query parameters
	header       []oaObj // header parameters
	body         string  // request body schema (a component name); "" for none
	bodyOptional bool
	status       int    // the success status
	resp         oaObj  // its body schema; nil for none
	respType     string // its media type; application/json when empty
	okHeaders    oaObj  // headers of the success answer
	more         oaObj  // further responses by status
	errs         []int  // error statuses beyond those the route's kind implies
	noDB         bool   // answers without the database
}

func oaQuery(name string, schema oaObj, desc string) oaObj {
	return oaObj{"name": name, "in": "query", "schema": schema, "description": desc}
}

var (
	oaStr   = oaObj{"type": "string"}
	oaInt   = oaObj{"type": "integer", "minimum": 0}
	oaBool  = oaObj{"type": "boolean"}
	oaLimit = func(def, max int) oaObj {
		return oaQuery("limit", oaObj{"type": "integer", "minimum": 0, "maximum": max, "default": def}, "page size")
	}
	oaOffset    = oaQuery("offset", oaInt, "items to skip")
	oaApprovals = oaObj{"type": "string", "enum": []string{"pending", "approved", "rejected"}}
)

func oaList(name string) oaObj {
	return oaObj{"type": "object", "required": []string{"items", "total"},
		"properties": oaObj{"items": oaObj{"type": "array", "items": oaRef(name)}, "total": oaObj{"type": "integer"}}}
}

// oaPage is a list paged by key: past 10,000 matches total is an estimate
// (total_estimated), and next is the ?after= of the following page.
func oaPage(name string) oaObj {
	l := oaList(name)
	l["properties"].(oaObj)["total_estimated"] = oaObj{"type": "boolean", "description": "total is an estimate (over 10,000 matches; a lower bound when filtered)"}
	l["properties"].(oaObj)["next"] = oaObj{"type": "string", "description": "pass as ?after= for the next page; absent on the last"}
	return l
}

func oaStatus(v string) oaObj {
	return oaObj{"type": "object", "required": []string{"status"}, "properties": oaObj{"status": oaObj{"type": "string", "const": v}}}
}

// oaOperations is every documented route.
func oaOperations() []oaOp {
	return slices.Concat(oaOpsOps(), oaImageOps(), oaApprovalOps(), oaPolicyOps(), oaRolloutOps(),
		oaDeviceOps(), oaTokenOps(), oaEventOps(), oaRegistryOps(), oaReleaseOps(), oaSupplyOps(), oaCostOps())
}

// oaOpsOps documents probes, metrics, this document and the UI.
func oaOpsOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/healthz", auth: authPublic, tag: "operations", summary: "Liveness probe", status: 200, resp: oaStatus("ok"), noDB: true},
		{method: "GET", path: "/readyz", auth: authPublic, tag: "operations", summary: "Readiness probe: the database answers and its schema is current", status: 200, resp: oaStatus("ready")},
		{method: "GET", path: "/metrics", auth: authViewer, tag: "operations", summary: "Prometheus metrics; a viewer token or AIRLOCK_METRICS_TOKEN", status: 200, resp: oaStr, respType: "text/plain"},
		{method: "GET", path: "/api/v1/openapi.json", auth: authPublic, tag: "operations", summary: "This document", status: 200, resp: oaObj{"type": "object"}, noDB: true},
		{method: "GET", path: "/", auth: authPublic, tag: "ui", summary: "The admin web UI", status: 200, resp: oaStr, respType: "text/html", noDB: true},
		{method: "GET", path: web.AssetPrefix + "{path}", auth: authPublic, tag: "ui", summary: "An asset of the admin web UI (path may span segments)",
			status: 200, resp: oaStr, respType: "*/*", noDB: true},
		{method: "GET", path: "/api/v1/me", auth: authViewer, tag: "tokens", summary: "Who the token belongs to, and its role", status: 200,
			resp: oaObj{"type": "object", "required": []string{"name", "role"}, "properties": oaObj{"name": oaStr,
				"role": oaObj{"type": "string", "enum": airlock.Roles}}}},
	}
}

// oaImageOps documents the catalogue.
func oaImageOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/images", auth: authViewer, tag: "images", summary: "List images", status: 200, resp: oaList("Image"),
			query: []oaObj{oaQuery("search", oaStr, "part of the name or description"), oaQuery("status", oaApprovals, "approval status"),
				oaQuery("category", oaStr, "category"), oaQuery("registry", oaStr, "registry host"), oaLimit(50, 500), oaOffset}},
		{method: "GET", path: "/api/v1/images/categories", auth: authViewer, tag: "images", summary: "List categories with their image counts", status: 200, resp: oaList("Category")},
		{method: "GET", path: "/api/v1/images/{id}", auth: authViewer, tag: "images", summary: "Get an image with its tags", status: 200, resp: oaRef("Image")},
		{method: "POST", path: "/api/v1/images", auth: authApprover, tag: "images", summary: "Add an image (approved unless approval_status says otherwise)", body: "ImageInput", status: 201, resp: oaRef("Image"), errs: []int{409}},
		{method: "PUT", path: "/api/v1/images/{id}", auth: authApprover, tag: "images", summary: "Change an image", body: "ImageUpdate", status: 200, resp: oaRef("Image")},
		{method: "DELETE", path: "/api/v1/images/{id}", auth: authApprover, tag: "images", summary: "Remove an image and its tags", status: 204},
		{method: "POST", path: "/api/v1/images/{id}/tags", auth: authApprover, tag: "images", summary: "Add a tag", body: "TagInput", status: 201, resp: oaRef("Tag"), errs: []int{409}},
		{method: "PUT", path: "/api/v1/images/{id}/tags/{tagId}", auth: authApprover, tag: "images", summary: "Change a tag (recommend, deprecate)", body: "TagUpdate", status: 200, resp: oaRef("Tag")},
		{method: "DELETE", path: "/api/v1/images/{id}/tags/{tagId}", auth: authApprover, tag: "images", summary: "Remove a tag", status: 204},
	}
}

// oaApprovalOps documents approval requests and the webhooks that raise them.
func oaApprovalOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/approval-requests", auth: authViewer, tag: "approvals", summary: "List approval requests, each with the CI checks of its digest", status: 200, resp: oaList("ApprovalRequestWithChecks"),
			query: []oaObj{oaQuery("status", oaApprovals, "request status"), oaLimit(100, 1000), oaOffset}},
		{method: "POST", path: "/api/v1/approval-requests/{id}/approve", auth: authApprover, tag: "approvals", summary: "Approve a request (the image becomes approved)", status: 200, resp: oaRef("ApprovalRequest"), errs: []int{400, 409, 422}},
		{method: "POST", path: "/api/v1/approval-requests/{id}/reject", auth: authApprover, tag: "approvals", summary: "Reject a request", body: "Reason", bodyOptional: true, status: 200, resp: oaRef("ApprovalRequest"), errs: []int{409}},
		{method: "POST", path: "/api/v1/approval-requests/bulk", auth: authApprover, tag: "approvals", summary: "Approve or reject several requests, each on its own",
			body: "BulkDecision", status: 200, resp: oaObj{"type": "object", "required": []string{"results"}, "properties": oaObj{"results": oaObj{"type": "array", "items": oaRef("BulkResult")}}}},

		oaWebhookOp("/api/v1/webhooks/docker-registry", "Receive a registry push; the payload format is detected"),
		oaWebhookOp("/api/v1/webhooks/{source}", "Receive a registry push in the named format"),
	}
}

// oaPolicyOps documents update policies.
func oaPolicyOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/policies", auth: authViewer, tag: "policies", summary: "List update policies", status: 200, resp: oaList("Policy"),
			query: []oaObj{oaQuery("enabled", oaBool, "only enabled (true) or disabled (false) policies"), oaLimit(100, 1000), oaOffset}},
		{method: "POST", path: "/api/v1/policies", auth: authApprover, tag: "policies", summary: "Create an update policy", body: "PolicyInput", status: 201, resp: oaRef("Policy"), errs: []int{409}},
		{method: "GET", path: "/api/v1/policies/{id}", auth: authViewer, tag: "policies", summary: "Get an update policy", status: 200, resp: oaRef("Policy")},
		{method: "PUT", path: "/api/v1/policies/{id}", auth: authApprover, tag: "policies", summary: "Change an update policy", body: "PolicyInput", status: 200, resp: oaRef("Policy"), errs: []int{409}},
		{method: "DELETE", path: "/api/v1/policies/{id}", auth: authApprover, tag: "policies", summary: "Delete an update policy", status: 204},
	}
}

// oaReleaseOps documents releases: each pushed content of an image under a tag.
func oaReleaseOps() []oaOp {
	status := oaObj{"type": "string", "enum": release.Statuses}
	return []oaOp{
		{method: "GET", path: "/api/v1/releases", auth: authViewer, tag: "releases", summary: "List releases, newest first", status: 200, resp: oaList("Release"),
			query: []oaObj{oaQuery("image", oaStr, "a repository, e.g. docker.io/library/redis"), oaQuery("tag", oaStr, "a tag"),
				oaQuery("status", status, "release status"), oaLimit(50, 500), oaOffset}},
		{method: "GET", path: "/api/v1/releases/{id}", auth: authViewer, tag: "releases",
			summary: "Get a release with its platforms, its size per platform and what was decided about it (direction, platforms, rollout)",
			status:  200, resp: oaObj{"allOf": []oaObj{oaRef("Release"), oaRef("ReleaseSize")}}},
	}
}

// oaRolloutOps documents rollouts and their controls.
func oaRolloutOps() []oaOp {
	ops := []oaOp{
		{method: "GET", path: "/api/v1/rollouts", auth: authViewer, tag: "rollouts", summary: "List rollouts", status: 200, resp: oaPage("Rollout"),
			query: []oaObj{oaQuery("status", oaStr, "rollout statuses, comma-separated: "+strings.Join(rollout.Statuses, ", ")), oaQuery("image", oaStr, "a repository, e.g. docker.io/library/redis"),
				oaQuery("q", oaStr, "a part of the image (docker.io/library/redis:7.4-alpine), or #id"), oaQuery("sort", oaObj{"type": "string", "enum": []string{"-created", "created"}}, "newest first (default) or oldest"),
				oaQuery("after", oaInt, "the id of the last rollout of the previous page (its next)"), oaLimit(50, 500), oaOffset}},
		{method: "POST", path: "/api/v1/rollouts", auth: authApprover, tag: "rollouts", summary: "Create a rollout by hand",
			desc: "The image passes the approval gate as a push would (403 with the gate's body); there is no override.",
			body: "RolloutInput", status: 201, resp: oaRef("Rollout"), errs: []int{403, 409}},
		{method: "GET", path: "/api/v1/rollouts/{id}/devices", auth: authViewer, tag: "rollouts", summary: "List a rollout's devices", status: 200, resp: oaPage("RolloutDevice"),
			query: []oaObj{oaQuery("status", oaStr, "device status in the rollout"), oaQuery("batch", oaInt, "only this batch (0: all)"),
				oaQuery("after", oaStr, "the previous page's next"), oaLimit(100, 1000), oaOffset}},
		{method: "POST", path: "/api/v1/releases/{id}/clear", auth: authAdmin, tag: "releases", summary: "Lift the known-bad hold on a release's content; with deploy, roll it out again by its policy", body: "ClearInput", status: 200, resp: oaRef("Cleared")},
		{method: "GET", path: "/api/v1/known-bad", auth: authViewer, tag: "rollouts", summary: "List content held as known-bad after a rollback", status: 200, resp: oaList("KnownBad")},
		{method: "POST", path: "/api/v1/known-bad/{id}/clear", auth: authAdmin, tag: "rollouts", summary: "Lift a known-bad hold, so that pushes of its content roll out again", status: 200, resp: oaRef("KnownBad")},
	}
	for _, action := range []string{"start", "pause", "resume", "cancel", "rollback"} {
		ops = append(ops, oaOp{method: "POST", path: "/api/v1/rollouts/{id}/" + action, auth: authApprover, tag: "rollouts",
			summary: strings.ToUpper(action[:1]) + action[1:] + " a rollout", body: "Reason", bodyOptional: true, status: 200, resp: oaRef("Rollout"), errs: []int{409}})
	}
	return ops
}

// oaDeviceOps documents devices, their keys, target state and reports.
func oaDeviceOps() []oaOp {
	return []oaOp{
		{method: "POST", path: "/api/v1/devices", auth: authAdmin, tag: "devices", summary: "Provision a device; the answer holds its key, shown once", body: "DeviceInput", status: 201, resp: oaRef("Device"), errs: []int{409}},
		{method: "GET", path: "/api/v1/devices", auth: authViewer, tag: "devices", summary: "List devices with their apps and health", status: 200, resp: oaPage("DeviceListItem"),
			query: []oaObj{oaQuery("labels", oaStr, "key=value pairs separated by commas; a device must carry every one"), oaQuery("online", oaBool, "only online (true) or offline (false) devices"),
				oaQuery("q", oaStr, "a part of the name, uuid or labels"), oaQuery("sort", oaObj{"type": "string", "enum": []string{"created", "-created", "name", "-name", "uuid", "-uuid"}}, "order (uuid breaks ties)"),
				oaQuery("after", oaStr, "the uuid of the last device of the previous page (its next), for the same sort"), oaLimit(50, 1000), oaOffset}},
		{method: "POST", path: "/api/v1/devices/import", auth: authAdmin, tag: "devices", summary: "Provision devices in bulk (NDJSON, up to 64 MiB)",
			desc: "The body is NDJSON, one device a line: {\"uuid\", \"name\", \"labels\", \"architecture\", \"platform\", \"target_state\": {\"apps\": …}}. " +
				"The answer streams NDJSON, a line per line of body in order: {\"line\", \"uuid\", \"api_key\"} (the key shown this once), or {\"line\", \"error\", \"field\"} for a line refused " +
				"(malformed, invalid, an image the gate refuses, a uuid that exists). Lines are written 2,000 to a transaction; an error that stops the import is the last line, {\"error\"}.",
			status: 200, resp: oaStr, respType: "application/x-ndjson", errs: []int{413}},
		{method: "GET", path: "/api/v1/devices/{uuid}", auth: authViewer, tag: "devices", summary: "Get a device with its target state, last report and rollouts", status: 200, resp: oaRef("DeviceDetail")},
		{method: "DELETE", path: "/api/v1/devices/{uuid}", auth: authAdmin, tag: "devices", summary: "Remove a device", status: 204},
		{method: "POST", path: "/api/v1/devices/{uuid}/rotate-key", auth: authAdmin, tag: "devices", summary: "Give a device a new key (shown once); the old one stops working", status: 200, resp: oaRef("Device")},
		{method: "PUT", path: "/api/v1/devices/{uuid}/target-state", auth: authAdmin, tag: "devices", summary: "Set what a device runs",
			desc: "Every image the write changes passes the approval gate, as a push would (403 with the gate's body and the app). " +
				"force with a reason writes it anyway and records image.gate_overridden.",
			body: "TargetStateInput", status: 200, resp: oaRef("TargetState"), errs: []int{403}},
		{method: "GET", path: "/api/v1/devices/{uuid}/target-state", auth: authDevice, tag: "devices", summary: "Poll the device's target state",
			header: []oaObj{{"name": "If-None-Match", "in": "header", "schema": oaStr, "description": "the ETag of the state the device has"}},
			status: 200, resp: oaRef("TargetState"), okHeaders: oaObj{"ETag": oaObj{"schema": oaStr, "description": "send it back as If-None-Match"}},
			more: oaObj{"304": oaObj{"description": "Unchanged since the ETag given."}}},
		{method: "PATCH", path: "/api/v1/devices/{uuid}/state", auth: authDevice, tag: "devices", summary: "Report what the device runs and how it is", body: "DeviceReportInput", status: 204},
	}
}

// oaTokenOps documents API tokens.
func oaTokenOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/tokens", auth: authAdmin, tag: "tokens", summary: "List API tokens", status: 200, resp: oaList("Token")},
		{method: "POST", path: "/api/v1/tokens", auth: authAdmin, tag: "tokens", summary: "Create an API token; the answer holds its secret (token), shown once", body: "TokenInput", status: 201, resp: oaRef("Token"), errs: []int{409}},
		{method: "DELETE", path: "/api/v1/tokens/{id}", auth: authAdmin, tag: "tokens", summary: "Revoke an API token", status: 204},
	}
}

// oaEventOps documents the audit trail and its live stream.
func oaEventOps() []oaOp {
	eventFilters := []oaObj{
		oaQuery("type", oaStr, "an event type, or a prefix ending in * (image.rollout_*)"),
		oaQuery("subject", oaStr, "a subject (rollout/3), or a prefix ending in *"),
	}
	return []oaOp{
		{method: "GET", path: "/api/v1/events", auth: authViewer, tag: "events", summary: "Query the audit trail, oldest first",
			desc: "With after, the first events after it (page forward; next, on a full page, is the after of the following one); " +
				"otherwise the latest ones, before the id given if one is (page back with before= the first id).",
			query: append(slices.Clone(eventFilters), oaQuery("after", oaInt, "only events with a greater id"),
				oaQuery("before", oaInt, "only events with a smaller id"), oaLimit(100, 1000)),
			status: 200, resp: oaPage("Event")},
		{method: "GET", path: "/api/v1/events/stream", auth: authViewer, tag: "events", summary: "Server-Sent Events: the events as they happen",
			desc: "Each event is sent as `id: <id>` and `data: <the Event as JSON>`. Reconnecting with Last-Event-ID (or ?after=) " +
				"replays exactly the events missed, then goes on live. Comment lines are heartbeats. A client that falls 30 s behind is " +
				"disconnected and resumes with Last-Event-ID. The stream ends when its token is revoked. A token may hold 16 streams, " +
				"a replica 1,000; beyond, 429.",
			query:  append(slices.Clone(eventFilters), oaQuery("after", oaInt, "resume after this event id (when Last-Event-ID is not sent)")),
			header: []oaObj{{"name": "Last-Event-ID", "in": "header", "schema": oaStr, "description": "resume after this event id"}},
			status: 200, resp: oaStr, respType: "text/event-stream", errs: []int{400, 429}},
	}
}

func oaRegistryOps() []oaOp {
	return []oaOp{
		{method: "GET", path: "/api/v1/registries", auth: authAdmin, tag: "registries", summary: "List declared registries", status: 200, resp: oaList("Registry")},
		{method: "POST", path: "/api/v1/registries", auth: authAdmin, tag: "registries", summary: "Declare a registry; the answer holds its webhook_url and webhook_secret, shown once",
			body: "RegistryInput", status: 201, resp: oaRef("Registry"), errs: []int{409}},
		{method: "GET", path: "/api/v1/registries/{id}", auth: authAdmin, tag: "registries", summary: "Get a declared registry", status: 200, resp: oaRef("Registry")},
		{method: "PUT", path: "/api/v1/registries/{id}", auth: authAdmin, tag: "registries", summary: "Change a registry (its host stays)", body: "RegistryUpdate", status: 200, resp: oaRef("Registry"), errs: []int{409}},
		{method: "DELETE", path: "/api/v1/registries/{id}", auth: authAdmin, tag: "registries", summary: "Remove a registry declaration", status: 204},
		{method: "POST", path: "/api/v1/registries/{id}/rotate-secret", auth: authAdmin, tag: "registries",
			summary: "Give a registry a new webhook secret (shown once, with its webhook_url); the old one stops working", status: 200, resp: oaRef("Registry")},
	}
}

func oaWebhookOp(path, summary string) oaOp {
	return oaOp{method: "POST", path: path, auth: authWebhook, tag: "webhooks", summary: summary,
		desc: "Gated against the approved-image registry. The credential names the sender: a declared registry's own secret " +
			"speaks only for its host and aliases. Deliveries with a registry's secret, and every Distribution delivery, are " +
			"answered 200 once decided, the verdict per push in the body, since those senders retry anything else for ever. " +
			"A delivery id answered before with an allowing answer gets it again and changes nothing; a refused one is decided afresh.",
		body: "Payload", status: 200, resp: oaRef("WebhookAnswer"), errs: []int{404},
		more: oaObj{"403": oaObj{"description": "Global secret, formats other than Distribution: image not approved " +
			"(an approval request is recorded or bumped), tag deprecated, or registry not verified.",
			"content": oaObj{"application/json": oaObj{"schema": oaRef("Error")}}}}}
}

var oaPathParam = regexp.MustCompile(`\{(\w+)\}`)

// Path is the OpenAPI form of a mux pattern's path: "/{$}" is "/", and a
// trailing "{path...}" wildcard is "{path}".
func Path(pattern string) string {
	return strings.ReplaceAll(strings.ReplaceAll(pattern, "{$}", ""), "...}", "}")
}

// render turns oaOp into an OpenAPI operation object.
func (o oaOp) render() oaObj {
	out := oaObj{"summary": o.summary, "tags": []string{o.tag}, "operationId": oaOperationID(o.method, o.path),
		"security": oaSecurity(o.auth)}
	if o.desc != "" {
		out["description"] = o.desc
	}
	params := []oaObj{}
	for _, m := range oaPathParam.FindAllStringSubmatch(o.path, -1) {
		params = append(params, oaPathParamDoc(m[1]))
	}
	params = append(append(params, o.query...), o.header...)
	if len(params) > 0 {
		out["parameters"] = params
	}
	if o.body != "" {
		out["requestBody"] = oaRequestBody(o.body, !o.bodyOptional)
	}
	responses := oaObj{}
	ok := oaObj{"description": "Success."}
	if o.resp != nil {
		mt := o.respType
		if mt == "" {
			mt = "application/json"
		}
		ok["content"] = oaObj{mt: oaObj{"schema": o.resp}}
	}
	if o.okHeaders != nil {
		ok["headers"] = o.okHeaders
	}
	responses[strconv.Itoa(o.status)] = ok
	for code, r := range o.more {
		responses[code] = r
	}
	for _, code := range o.errorCodes() {
		if _, set := responses[code]; !set {
			responses[code] = oaObj{"$ref": "#/components/responses/" + code}
		}
	}
	out["responses"] = responses
	return out
}

// oaRequestBody documents a JSON body; a webhook's is whatever the registry sends.
func oaRequestBody(schema string, required bool) oaObj {
	s := oaRef(schema)
	if schema == "Payload" {
		s = oaObj{"type": "object", "description": "the registry's push notification, as it sends it"}
	}
	return oaObj{"required": required, "content": oaObj{"application/json": oaObj{"schema": s}}}
}

// errorCodes are the error statuses of the route: those its kind implies and its own.
func (o oaOp) errorCodes() []string {
	codes := slices.Clone(o.errs)
	switch o.auth {
	case authViewer:
		codes = append(codes, 401)
	case authApprover, authAdmin, authScanner, authCI:
		codes = append(codes, 401, 403)
	case authDevice:
		codes = append(codes, 401, 403, 429)
	case authWebhook:
		codes = append(codes, 400, 401, 413, 429)
	}
	if o.body != "" {
		codes = append(codes, 400, 413, 422)
	}
	if strings.Contains(o.path, "{") {
		codes = append(codes, 404)
	}
	if len(o.query) > 0 {
		codes = append(codes, 422)
	}
	if !o.noDB {
		codes = append(codes, 503)
	}
	slices.Sort(codes)
	out := []string{}
	for _, c := range slices.Compact(codes) {
		out = append(out, strconv.Itoa(c))
	}
	return out
}

func oaPathParamDoc(name string) oaObj {
	p := oaObj{"name": name, "in": "path", "required": true}
	switch name {
	case "uuid":
		p["schema"], p["description"] = oaStr, "device uuid"
	case "digest":
		p["schema"], p["description"] = oaObj{"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}, "a release's manifest digest"
	case "path":
		p["schema"], p["description"] = oaStr, "the asset's path below the prefix"
	case "source":
		p["schema"], p["description"] = oaObj{"type": "string", "enum": oaWebhookSources}, "the registry's payload format"
	default:
		p["schema"] = oaObj{"type": "integer", "minimum": 1}
	}
	return p
}

// oaSecurity says who may call a route of kind a; apiToken lists the weakest role.
func oaSecurity(a string) []oaObj {
	switch a {
	case authViewer, authApprover, authAdmin, authScanner, authCI:
		return []oaObj{{"apiToken": []string{a}}} // the role's name is the auth's
	case authDevice:
		return []oaObj{{"deviceKey": []string{}}}
	case authWebhook:
		return []oaObj{{"webhookToken": []string{}}, {"webhookBearer": []string{}}, {"webhookSignature": []string{}}}
	}
	return []oaObj{}
}

var oaNonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

func oaOperationID(method, path string) string {
	return strings.ToLower(method) + strings.TrimRight(oaNonWord.ReplaceAllString(strings.TrimPrefix(path, "/api/v1"), "_"), "_")
}
