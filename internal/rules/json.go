package rules

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// common holds the fields every kind shares; an alias of Rule would recurse.
type common struct {
	ID           int64  `json:"id,omitempty"`
	Name         string `json:"name"`
	ImagePattern string `json:"image_pattern"`
	Kind         string `json:"kind"`
	Mode         string `json:"mode"`
}

var commonKeys = jsonKeys(reflect.TypeFor[common]())

// spec returns a pointer to r's field for kind, allocating it if
// allocate is set; nil for an unknown kind.
func (r *Rule) spec(kind string, allocate bool) any {
	switch kind {
	case KindSignature:
		return field(&r.Signature, allocate)
	case KindVulnerabilities:
		return field(&r.Vulnerabilities, allocate)
	case KindTag:
		return field(&r.Tag, allocate)
	case KindRegistries:
		return field(&r.Registries, allocate)
	case KindAge:
		return field(&r.Age, allocate)
	case KindLabels:
		return field(&r.Labels, allocate)
	case KindApprovals:
		return field(&r.Approvals, allocate)
	case KindChecks:
		return field(&r.Checks, allocate)
	case KindTestRing:
		return field(&r.TestRing, allocate)
	}
	return nil
}

func field[T any](p **T, allocate bool) any {
	if *p == nil && allocate {
		*p = new(T)
	}
	if *p == nil {
		return nil
	}
	return *p
}

// UnmarshalJSON reads the common fields, then the kind's own from the same
// object. An unknown key is an EINVALID naming it: a misspelt field of a
// security rule must not silently weaken it.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var c common
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	*r = Rule{ID: c.ID, Name: c.Name, ImagePattern: c.ImagePattern, Kind: c.Kind, Mode: c.Mode}
	spec := r.spec(c.Kind, true)
	if spec == nil {
		return airlock.FieldErrorf("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	allowed := jsonKeys(reflect.TypeOf(spec).Elem())
	for k := range keys {
		if !slices.Contains(commonKeys, k) && !slices.Contains(allowed, k) {
			return airlock.FieldErrorf(k, "unknown field for a %s rule", c.Kind)
		}
	}
	return json.Unmarshal(b, spec)
}

// MarshalJSON writes the common fields and the kind's own in one object.
func (r Rule) MarshalJSON() ([]byte, error) {
	out := map[string]json.RawMessage{}
	for _, v := range []any{common{r.ID, r.Name, r.ImagePattern, r.Kind, r.Mode}, r.spec(r.Kind, false)} {
		if v == nil {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, err
		}
	}
	return json.Marshal(out)
}

func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}
