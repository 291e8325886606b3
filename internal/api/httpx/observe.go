package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id, for RequestIDHandler.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// NewRequestID returns a random request id.
func NewRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// RouteLabels are the method and route pattern of r, bounded: a method
// nobody serves is OTHER and a path no route matched is "unmatched".
func RouteLabels(r *http.Request) (method, route string) {
	method = r.Method
	if !knownMethods[method] {
		method = "OTHER"
	}
	route = r.Pattern
	if _, path, ok := strings.Cut(route, " "); ok {
		route = path
	}
	if route == "" {
		route = "unmatched"
	}
	return method, route
}

// Recorder notes the status and size of an answer. Unwrap lets
// http.ResponseController reach the connection (flushes, deadlines).
type Recorder struct {
	http.ResponseWriter
	status int
	Bytes  int64 // written
}

func (r *Recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *Recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.Bytes += int64(n)
	return n, err
}

func (r *Recorder) Flush() { r.FlushError() }

// FlushError lets http.ResponseController report a failed flush (a client gone).
func (r *Recorder) FlushError() error {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// StatusCode is the status answered (200 when nothing was written).
func (r *Recorder) StatusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// RequestIDHandler adds the request id to every line logged with a request's context.
type RequestIDHandler struct{ slog.Handler }

func (h RequestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h RequestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return RequestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h RequestIDHandler) WithGroup(name string) slog.Handler {
	return RequestIDHandler{h.Handler.WithGroup(name)}
}
