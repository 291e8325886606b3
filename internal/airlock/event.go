package airlock

import (
	"encoding/json"
	"time"
)

// Event is one row of the audit trail.
type Event struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Subject   string          `json:"subject"`
	Actor     string          `json:"actor"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}
