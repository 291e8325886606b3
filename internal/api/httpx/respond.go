// Package httpx is the HTTP plumbing the API handlers share and that knows
// no route: the one table from error codes to statuses and bodies, strict
// JSON decoding and input checks, per-identity rate limiting and the caps
// on open event streams.
package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// MaxBody bounds every request body; larger ones get 413.
const MaxBody = 1 << 20

// statusOf is the one place error codes become HTTP statuses.
var statusOf = map[string]int{
	airlock.EBADREQUEST:   http.StatusBadRequest,
	airlock.EINVALID:      http.StatusUnprocessableEntity,
	airlock.ENOTFOUND:     http.StatusNotFound,
	airlock.ECONFLICT:     http.StatusConflict,
	airlock.EUNAUTHORIZED: http.StatusUnauthorized,
	airlock.EFORBIDDEN:    http.StatusForbidden,
	airlock.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	airlock.ERATELIMIT:    http.StatusTooManyRequests,
	airlock.EUNAVAILABLE:  http.StatusServiceUnavailable,
	airlock.EINTERNAL:     http.StatusInternalServerError,
}

// errorTitle is the short "error" member of a JSON error body.
var errorTitle = map[string]string{
	airlock.EBADREQUEST:   "Bad request",
	airlock.EINVALID:      "Validation failed",
	airlock.ENOTFOUND:     "Not found",
	airlock.ECONFLICT:     "Conflict",
	airlock.EUNAUTHORIZED: "Unauthorized",
	airlock.EFORBIDDEN:    "Forbidden",
	airlock.ETOOLARGE:     "Payload too large",
	airlock.ERATELIMIT:    "Too many requests",
	airlock.EUNAVAILABLE:  "Service unavailable",
	airlock.EINTERNAL:     "Internal error",
}

// ErrorBody renders err as the JSON body and status clients see.
func ErrorBody(err error) (int, map[string]any) {
	code := airlock.ErrorCode(err)
	body := map[string]any{"error": errorTitle[code], "message": airlock.ErrorMessage(err)}
	var e *airlock.Error
	if errors.As(err, &e) {
		body = e.Body()
		if e.Title == "" {
			body["error"] = errorTitle[code]
		}
	}
	return statusOf[code], body
}

func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// List is the shape of every list answer.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// ReadBody reads at most MaxBody bytes; more is a 413.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, airlock.Errorf(airlock.ETOOLARGE, "request body exceeds %d bytes", MaxBody)
	}
	if err != nil {
		return nil, airlock.Errorf(airlock.EBADREQUEST, "reading request body: %v", err)
	}
	return body, CheckBody(body)
}

// Decode reads a JSON object into v strictly: malformed JSON is a 400, a
// field of the wrong type or an unknown field a 422 naming the field.
func Decode(r *http.Request, v any) error {
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	return DecodeBytes(body, v)
}

func DecodeBytes(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	var typeErr *json.UnmarshalTypeError
	var coded *airlock.Error
	switch {
	case err == nil:
		return checkInts(reflect.ValueOf(v), "")
	case errors.As(err, &coded): // a type's own UnmarshalJSON names the field at fault
		return coded
	case errors.Is(err, io.EOF):
		return airlock.Errorf(airlock.EBADREQUEST, "request body is empty; expected a JSON object")
	case errors.As(err, &typeErr):
		return airlock.FieldErrorf(typeErr.Field, "must be %s, got %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return airlock.FieldErrorf(field, "unknown field")
	}
	return airlock.Errorf(airlock.EBADREQUEST, "malformed JSON: %v", err)
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a number"
}

// PathID parses a numeric path value; anything else is a 404, as no such resource exists.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, airlock.Errorf(airlock.ENOTFOUND, "%s %q not found", name, r.PathValue(name))
	}
	return id, nil
}

// QueryInt reads a non-negative integer query parameter with a default and
// a cap; a cap of 0 is the largest INTEGER column value.
func QueryInt(r *http.Request, name string, def, max int) (int, error) {
	if max == 0 {
		max = math.MaxInt32
	}
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, airlock.FieldErrorf(name, "must be a non-negative integer, got %q", s)
	}
	if n > max {
		return 0, airlock.FieldErrorf(name, "must be at most %d", max)
	}
	return n, nil
}
