package httpx

import (
	"math"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Every request is checked here, at the edge, for what no column of either
// engine can hold, so that the store never sees it: text with a NUL byte or
// invalid UTF-8 (PostgreSQL refuses both) and integers beyond 32 bits.

// CheckText refuses s if PostgreSQL could not store it as text.
func CheckText(name, s string) error {
	switch {
	case !utf8.ValidString(s):
		return airlock.Errorf(airlock.EBADREQUEST, "%s is not valid UTF-8", name)
	case strings.IndexByte(s, 0) >= 0:
		return airlock.Errorf(airlock.EBADREQUEST, "%s contains a NUL character", name)
	}
	return nil
}

// CheckRequestText checks the path and every query parameter, names and values.
func CheckRequestText(r *http.Request) error {
	if err := CheckText("the path", r.URL.Path); err != nil {
		return err
	}
	for name, vs := range r.URL.Query() {
		if err := CheckText("a query parameter name", name); err != nil {
			return err
		}
		for _, v := range vs {
			if err := CheckText("query parameter "+name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckBody refuses a body that is not UTF-8 or holds a NUL, raw or as the
// JSON escape \u0000 (encoding/json would decode it into a string).
func CheckBody(body []byte) error {
	if !utf8.Valid(body) {
		return airlock.Errorf(airlock.EBADREQUEST, "request body is not valid UTF-8")
	}
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == 0:
			return airlock.Errorf(airlock.EBADREQUEST, "request body contains a NUL character")
		case body[i] != '\\' || i+1 == len(body):
		case body[i+1] == 'u' && i+6 <= len(body) && string(body[i+2:i+6]) == "0000":
			return airlock.Errorf(airlock.EBADREQUEST, "request body contains a NUL character (\\u0000)")
		default:
			i++ // an escaped character: \\u0000 is a backslash and text
		}
	}
	return nil
}

// checkInts refuses, naming the field, an int of a decoded request that
// does not fit 32 bits: such fields are INTEGER columns. int64 fields
// (ids) are BIGINT and need no bound.
func checkInts(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkInts(v.Elem(), field)
		}
	case reflect.Int:
		if n := v.Int(); n > math.MaxInt32 || n < math.MinInt32 {
			return airlock.FieldErrorf(field, "must be at most %d", math.MaxInt32)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if err := checkInts(v.Field(i), jsonName(f)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkInts(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkInts(it.Value(), field); err != nil {
				return err
			}
		}
	}
	return nil
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}
