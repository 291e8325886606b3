// Package airlock holds the domain types shared by every layer and the one
// coded error type that the API maps to HTTP statuses.
package airlock

import (
	"errors"
	"fmt"
)

// Error codes. The API maps each to one HTTP status (internal/api/respond.go).
const (
	EINVALID      = "invalid"      // 422: well-formed but semantically wrong input
	EBADREQUEST   = "bad_request"  // 400: malformed input
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409: duplicate or invalid state transition
	EUNAUTHORIZED = "unauthorized" // 401
	EFORBIDDEN    = "forbidden"    // 403
	ETOOLARGE     = "too_large"    // 413
	ERATELIMIT    = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // 503: the database or a dependency is down
	EINTERNAL     = "internal"     // 500
)

// Error is an application error with a code and a message fit for clients.
// Title, when set, replaces the generic error text in the JSON body
// (the gate's "Image not approved", "Tag deprecated").
type Error struct {
	Code    string
	Title   string
	Message string
	Field   string         // the offending input field, if any
	Extra   map[string]any // further members of the JSON body
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error that names the field at fault.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the *Error's message,
// or a generic text for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Body is the JSON object a client sees for e, without a default title.
func (e *Error) Body() map[string]any {
	body := map[string]any{"error": e.Title, "message": e.Message}
	if e.Field != "" {
		body["field"] = e.Field
	}
	for k, v := range e.Extra {
		body[k] = v
	}
	return body
}
