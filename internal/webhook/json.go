package webhook

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// decodeJSON unmarshals a body, describing failures in the sender's terms
// rather than in Go's.
func decodeJSON(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return fail("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ) && typ.Field != "":
		return fail("field %q has the wrong type (a JSON %s)", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fail("want a JSON object, not a JSON %s", typ.Value)
	}
	return fail("malformed JSON: %v", err)
}

// maxUnix is the end of year 9999, past which no database stores a time.
const maxUnix = 253402300800

// timestamp is a time that senders write as RFC 3339 or as Unix seconds,
// the latter as an integer, a float (old Docker Hub: 1.417566161e+09) or a
// string of either. Anything else reads as unknown (zero): no sender's
// clock is worth refusing a push over.
type timestamp time.Time

func (t *timestamp) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if v, err := time.Parse(time.RFC3339, s); err == nil && v.Unix() > 0 {
		*t = timestamp(v.UTC())
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < maxUnix {
		*t = timestamp(time.Unix(int64(f), int64((f-float64(int64(f)))*1e9)).UTC())
	}
	return nil
}
