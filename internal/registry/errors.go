package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// The kinds of failure callers act on. Test with errors.Is. Each is also an
// *airlock.Error, so the API maps it without knowing this package.
var (
	// ErrUnavailable: the registry could not be reached, timed out or
	// answered 5xx. Wait and retry.
	ErrUnavailable = &airlock.Error{Code: airlock.EUNAVAILABLE, Message: "registry unavailable"}
	// ErrRateLimited: the registry answered 429 and asked for a longer wait
	// than the client may spend. Retry later (see RetryAfter).
	ErrRateLimited = &airlock.Error{Code: airlock.EUNAVAILABLE, Message: "registry rate limit reached"}
	// ErrNotFound: the repository, tag, manifest or blob does not exist.
	ErrNotFound = &airlock.Error{Code: airlock.ENOTFOUND, Message: "not found in the registry"}
	// ErrUnauthorized: the registry refused the configured credentials (or
	// their absence). Retrying will not help until they change.
	ErrUnauthorized = &airlock.Error{Code: airlock.EUNAVAILABLE, Message: "registry refused the credentials"}
)

// Error is a failed registry call: which, where, what kind and the cause.
// Its text carries no credentials (go-containerregistry redacts URLs and
// this package never puts the password in a message).
type Error struct {
	Op         string // "resolve", "inspect", "tags", "copy", …
	Host       string
	Repo       string
	Kind       error // one of the sentinels above, or nil
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	return fmt.Sprintf("registry %s: %s %s: %v", e.Host, e.Op, e.Repo, e.Err)
}

// Unwrap exposes both the kind (errors.Is(err, ErrNotFound)) and the cause.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Temporary reports whether err is worth retrying later: the registry was
// unreachable or rate limited us.
func Temporary(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited)
}

// RetryAfter is how long the registry asked us to wait, 0 if it did not say.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// rateLimitedError is what the transport returns for a 429 it will not wait out.
type rateLimitedError struct{ after time.Duration }

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("429 Too Many Requests (retry after %s)", e.after)
}

func (c *Client) fail(op, repo string, err error) error {
	var done *Error
	if err == nil || errors.As(err, &done) {
		return err // nil, or already described by an inner call
	}
	e := &Error{Op: op, Host: c.cfg.Host, Repo: repo, Kind: kindOf(err), Err: err}
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		e.RetryAfter = rl.after
	}
	return e
}

// kindOf sorts a go-containerregistry or network error into a sentinel.
func kindOf(err error) error {
	var rl *rateLimitedError
	var te *transport.Error
	var ne net.Error
	switch {
	case errors.As(err, &rl):
		return ErrRateLimited
	case errors.As(err, &te):
		return statusKind(te)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return ErrUnavailable
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return ErrUnavailable
	}
	return nil
}

func statusKind(te *transport.Error) error {
	for _, d := range te.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return ErrNotFound
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			return ErrUnauthorized
		case transport.TooManyRequestsErrorCode:
			return ErrRateLimited
		}
	}
	switch s := te.StatusCode; {
	case s == http.StatusNotFound:
		return ErrNotFound
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return ErrUnauthorized
	case s == http.StatusTooManyRequests:
		return ErrRateLimited
	case s == http.StatusRequestTimeout || s >= 500:
		return ErrUnavailable
	}
	return nil
}
