package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// client talks to the Airlock API.
type client struct {
	base string
	http *http.Client
}

// statusError is an answer other than the one expected.
type statusError struct {
	Status int
	Body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// do sends body (JSON, or nothing when nil) and decodes a 2xx answer into
// out (when not nil). header holds extra name/value pairs; empty values are left out.
func (c *client) do(ctx context.Context, method, path, token string, body, out any, header ...string) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.base, "/")+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotModified {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return resp, &statusError{resp.StatusCode, strings.TrimSpace(string(b))}
	}
	if out != nil && resp.StatusCode != http.StatusNotModified && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	io.Copy(io.Discard, resp.Body) // so the connection is reused
	return resp, nil
}
