package httpx

import (
	"strconv"
	"strings"
	"time"
)

// ETag is a strong validator of a device's target state: versions
// only grow, and the device's creation time tells apart a device deleted
// and provisioned again under the same uuid.
func ETag(created time.Time, version int64) string {
	b := make([]byte, 0, 32)
	b = append(b, '"')
	b = strconv.AppendInt(b, created.UnixMicro(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, version, 10)
	return string(append(b, '"'))
}

// ETagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func ETagMatches(header, tag string) bool {
	for header != "" {
		var item string
		item, header, _ = strings.Cut(header, ",")
		item = strings.TrimPrefix(strings.TrimSpace(item), "W/")
		if item == tag || item == "*" {
			return true
		}
	}
	return false
}
