// Package openapi is the OpenAPI 3.1 document of Airlock's API, built from
// the operation list (ops.go) and the Go types of the bodies. api serves it,
// and its test checks that it documents every route and nothing else.
package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// JSON is the document, built once.
var JSON = sync.OnceValue(func() []byte {
	b, err := json.Marshal(openAPIDocument())
	if err != nil {
		panic(err) // a programming error, caught by the test
	}
	return b
})

// component types: named response and request bodies.
var oaComponents = map[string]reflect.Type{
	"Image":           reflect.TypeFor[airlock.Image](),
	"Tag":             reflect.TypeFor[airlock.Tag](),
	"Category":        reflect.TypeFor[airlock.Category](),
	"ApprovalRequest": reflect.TypeFor[airlock.ApprovalRequest](),
	"BulkResult":      reflect.TypeFor[service.BulkResult](),
	"Policy":          reflect.TypeFor[airlock.Policy](),
	"DeviceSelector":  reflect.TypeFor[airlock.DeviceSelector](),
	"Rollout":         reflect.TypeFor[airlock.Rollout](),
	"BatchCounts":     reflect.TypeFor[airlock.BatchCounts](),
	"RolloutDevice":   reflect.TypeFor[airlock.RolloutDevice](),
	"KnownBad":        reflect.TypeFor[airlock.KnownBad](),
	"ClearInput":      reflect.TypeFor[service.ClearInput](),
	"Cleared":         reflect.TypeFor[service.Cleared](),
	"Device":          reflect.TypeFor[airlock.Device](),
	"DeviceDetail":    reflect.TypeFor[airlock.DeviceDetail](),
	"DeviceListItem":  reflect.TypeFor[airlock.DeviceListItem](),
	"DeviceApp":       reflect.TypeFor[airlock.DeviceApp](),
	"DeviceReport":    reflect.TypeFor[airlock.DeviceReport](),
	"AppReport":       reflect.TypeFor[airlock.AppReport](),
	"DeviceRollout":   reflect.TypeFor[airlock.DeviceRollout](),
	"TargetState":     reflect.TypeFor[airlock.DeviceTarget](),
	"Token":           reflect.TypeFor[airlock.Token](),
	"Event":           reflect.TypeFor[airlock.Event](),
	"Registry":        reflect.TypeFor[airlock.Registry](),
	"Release":         reflect.TypeFor[service.Release](),
}

// input types, with the fields a request must give.
var oaInputs = map[string]struct {
	t        reflect.Type
	required []string
}{
	"ImageInput":     {reflect.TypeFor[service.ImageInput](), []string{"image_name"}},
	"ImageUpdate":    {reflect.TypeFor[service.ImageUpdate](), nil},
	"TagInput":       {reflect.TypeFor[service.TagInput](), []string{"tag"}},
	"TagUpdate":      {reflect.TypeFor[service.TagUpdate](), nil},
	"PolicyInput":    {reflect.TypeFor[service.PolicyInput](), nil},
	"RolloutInput":   {reflect.TypeFor[service.RolloutInput](), []string{"image"}},
	"DeviceInput":    {reflect.TypeFor[service.DeviceInput](), nil},
	"TokenInput":     {reflect.TypeFor[service.TokenInput](), []string{"name", "role"}},
	"RegistryInput":  {reflect.TypeFor[service.RegistryInput](), []string{"host", "kind"}},
	"RegistryUpdate": {reflect.TypeFor[service.RegistryUpdate](), nil},
}

func openAPIDocument() oaObj {
	s := oaSchemas{names: map[reflect.Type]string{}}
	for name, t := range oaComponents {
		s.names[t] = name
	}
	comps := oaObj{}
	for name, t := range oaComponents {
		comps[name] = s.of(t, true)
	}
	for name, in := range oaInputs {
		o := s.object(in.t)
		delete(o, "required")
		if len(in.required) > 0 {
			o["required"] = in.required
		}
		comps[name] = o
	}
	for name, o := range oaCostSchemas() {
		comps[name] = o
	}
	for name, o := range oaSupplySchemas() {
		comps[name] = o
	}
	for name, o := range oaHandMade() {
		comps[name] = o
	}
	paths := oaObj{}
	for _, o := range oaOperations() {
		item, ok := paths[o.path].(oaObj)
		if !ok {
			item = oaObj{}
			paths[o.path] = item
		}
		item[strings.ToLower(o.method)] = o.render()
	}
	return oaObj{
		"openapi": "3.1.0",
		"info": oaObj{"title": "Airlock API", "version": "1",
			"description": "Approved-image registry, webhook gate and staged rollouts for an IoT container fleet. " +
				"Errors are JSON {\"error\", \"message\"} (with \"field\" for invalid input); lists are {\"items\", \"total\"}."},
		"servers":    []oaObj{{"url": "/"}},
		"paths":      paths,
		"components": oaObj{"schemas": comps, "securitySchemes": oaSecuritySchemes(), "responses": oaErrorResponses()},
	}
}

func oaHandMade() map[string]oaObj {
	return map[string]oaObj{
		"Error": {"type": "object", "required": []string{"error", "message"}, "additionalProperties": true,
			"properties": oaObj{"error": oaStr, "message": oaStr,
				"field":           oaObj{"type": "string", "description": "the input field at fault (422)"},
				"action_required": oaObj{"type": "string", "description": "what an admin must do (webhook refusals)"},
				"retry_after":     oaObj{"type": "integer", "description": "seconds to wait (429)"}}},
		"Reason": {"type": "object", "properties": oaObj{"reason": oaStr}},
		"BulkDecision": {"type": "object", "required": []string{"ids", "action"}, "properties": oaObj{
			"ids":    oaObj{"type": "array", "items": oaObj{"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": 500},
			"action": oaObj{"type": "string", "enum": []string{"approve", "reject"}},
			"reason": oaStr}},
		"TargetStateInput": {"type": "object", "required": []string{"apps"}, "properties": oaObj{
			"apps":   oaObj{"type": "object", "additionalProperties": oaInline().of(oaAppSpecType, false)},
			"force":  oaObj{"type": "boolean", "description": "write images the gate refuses (admin override, recorded as image.gate_overridden)"},
			"reason": oaObj{"type": "string", "maxLength": 1000, "description": "why the gate is overridden; required with force"}}},
		"DeviceReportInput": {"type": "object", "properties": oaObj{
			"apps":        oaObj{"type": "object", "additionalProperties": oaRef("AppReport")},
			"metrics":     oaObj{"type": "object", "additionalProperties": true, "description": "e.g. cpu_percent, memory_percent, uptime_seconds"},
			"reported_at": oaObj{"type": "string", "format": "date-time", "description": "the device's clock; the server keeps its own"}}},
		"WebhookAnswer": {"type": "object", "additionalProperties": true,
			"description": "What happened to the push: allowed, the image and tag, whether the tag was auto-added, and the rollout " +
				"created (or null with the reason); for a refusal, error, message and action_required; for an artifact, its kind. " +
				"A delivery of several pushes, or with events that could not be read, answers with a result per push or event.",
			"properties": oaObj{"allowed": oaBool, "outcome": oaStr, "message": oaStr, "rollout": oaNullable(oaRef("Rollout")), "reason": oaStr,
				"error": oaStr, "action_required": oaStr, "artifact": oaStr, "subject_digest": oaStr,
				"release": oaObj{"type": "object", "additionalProperties": true, "description": "the release the push became"},
				"results": oaObj{"type": "array", "items": oaObj{"type": "object", "additionalProperties": true}}}},
	}
}

// oaInline is a schema builder with no component names, for inline pieces.
func oaInline() oaSchemas { return oaSchemas{} }

func oaSecuritySchemes() oaObj {
	return oaObj{
		"apiToken": oaObj{"type": "http", "scheme": "bearer",
			"description": "An API token (`airlock token create`, POST /api/v1/tokens). The roles listed are the weakest that may call: viewer < approver < admin."},
		"deviceKey": oaObj{"type": "http", "scheme": "bearer",
			"description": "A device's own key (POST /api/v1/devices, rotate-key); it speaks only for its own uuid."},
		"webhookToken": oaObj{"type": "apiKey", "in": "query", "name": "token", "description": "The webhook secret: a declared registry's own, or the global one."},
		"webhookBearer": oaObj{"type": "http", "scheme": "bearer",
			"description": "The webhook secret as a bearer token, or verbatim in Authorization (Harbor, Distribution): a declared registry's own, or the global one."},
		"webhookSignature": oaObj{"type": "apiKey", "in": "header", "name": "X-Hub-Signature-256",
			"description": "sha256=<hex HMAC-SHA256 of the raw body, keyed with the global webhook secret>."},
	}
}

// oaErrorResponses are the shared error answers, by oaStatus.
func oaErrorResponses() oaObj {
	out := oaObj{}
	for code, desc := range oaErrorDescriptions {
		out[code] = oaObj{"description": desc, "content": oaObj{"application/json": oaObj{"schema": oaRef("Error")}}}
	}
	return out
}

var oaErrorDescriptions = map[string]string{
	"400": "Malformed request (bad JSON, bad header value).",
	"401": "Missing or invalid credentials.",
	"403": "Credentials valid, but not allowed here.",
	"404": "No such resource.",
	"409": "Conflict: a duplicate, or a change the resource's state does not allow.",
	"413": "Request body over 1 MiB.",
	"422": "Invalid input; `field` names the field at fault.",
	"429": "Too many requests; see Retry-After.",
	"503": "The database is unavailable.",
}

var oaWebhookSources = append([]string{"docker-registry"}, webhook.Sources...)
