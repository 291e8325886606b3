package approvals

import "github.com/airlock-iot/airlock/internal/airlock"

// BulkResult is the outcome of one request of a bulk decision.
type BulkResult struct {
	ID      int64                    `json:"id"`
	Request *airlock.ApprovalRequest `json:"request,omitempty"`
	Error   map[string]any           `json:"error,omitempty"`
}

// Bulk decides each request with decide, on its own, so one decided
// meanwhile by someone else does not undo the others. A failure of the
// database stops it; a request's own fault is its result.
func Bulk(ids []int64, action string, decide func(id int64) (airlock.ApprovalRequest, error)) ([]BulkResult, error) {
	if action != "approve" && action != "reject" {
		return nil, airlock.FieldErrorf("action", "must be approve or reject, got %q", action)
	}
	if len(ids) == 0 || len(ids) > 500 {
		return nil, airlock.FieldErrorf("ids", "must list 1 to 500 request ids")
	}
	out := make([]BulkResult, len(ids))
	for i, id := range ids {
		req, err := decide(id)
		out[i] = BulkResult{ID: id}
		if err != nil {
			if airlock.ErrorCode(err) == airlock.EINTERNAL || airlock.ErrorCode(err) == airlock.EUNAVAILABLE {
				return nil, err
			}
			out[i].Error = map[string]any{"code": airlock.ErrorCode(err), "message": airlock.ErrorMessage(err)}
			continue
		}
		out[i].Request = &req
	}
	return out, nil
}
