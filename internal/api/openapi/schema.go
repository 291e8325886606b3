package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// oaObj is a piece of the OpenAPI document.
type oaObj = map[string]any

// oaSchemas builds JSON Schemas from the Go types the handlers read and
// write, so that the document cannot drift from the JSON they produce.
// Named types listed in components become references.
type oaSchemas struct {
	names map[reflect.Type]string
}

func oaRef(name string) oaObj { return oaObj{"$ref": "#/components/schemas/" + name} }

var (
	oaTimeType    = reflect.TypeFor[time.Time]()
	oaRawType     = reflect.TypeFor[json.RawMessage]()
	oaAppSpecType = reflect.TypeFor[airlock.AppSpec]()
)

// of returns the schema of t; inline builds a named type in full rather than as a reference.
func (s oaSchemas) of(t reflect.Type, inline bool) oaObj {
	if name, ok := s.names[t]; ok && !inline {
		return oaRef(name)
	}
	switch {
	case t == oaTimeType:
		return oaObj{"type": "string", "format": "date-time"}
	case t == oaRawType:
		return oaObj{}
	case t == oaAppSpecType:
		return oaObj{"type": "object", "required": []string{"image"}, "additionalProperties": true,
			"properties":  oaObj{"image": oaObj{"type": "string", "description": "normalised image reference"}},
			"description": "an app: its image, and any other field, kept as given"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return oaNullable(s.of(t.Elem(), false))
	case reflect.Struct:
		return s.object(t)
	case reflect.Map:
		return oaObj{"type": "object", "additionalProperties": s.of(t.Elem(), false)}
	case reflect.Slice, reflect.Array:
		return oaObj{"type": "array", "items": s.of(t.Elem(), false)}
	case reflect.String:
		return oaObj{"type": "string"}
	case reflect.Bool:
		return oaObj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return oaObj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return oaObj{"type": "number"}
	}
	return oaObj{} // interfaces: any JSON value
}

// object lists the JSON fields of a struct; those always written are required.
func (s oaSchemas) object(t reflect.Type) oaObj {
	props, required := oaObj{}, []string{}
	s.fields(t, props, &required)
	o := oaObj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func (s oaSchemas) fields(t reflect.Type, props oaObj, required *[]string) {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			s.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.of(f.Type, false)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}

// oaNullable lets a schema be null as well.
func oaNullable(o oaObj) oaObj {
	if typ, ok := o["type"].(string); ok && len(o) == 1 {
		return oaObj{"type": []string{typ, "null"}}
	}
	return oaObj{"anyOf": []oaObj{o, {"type": "null"}}}
}
