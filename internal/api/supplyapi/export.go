package supplyapi

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// exportPage is how many events each query of an export reads.
const exportPage = 500

// ExportEvents streams the whole audit trail matching type and subject,
// oldest first, as JSON lines or CSV, a page at a time: an export of a
// million events holds one page in memory.
func (h Handlers) ExportEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := h.Filter(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "jsonl"
	}
	if format != "jsonl" && format != "csv" {
		return airlock.FieldErrorf("format", "must be jsonl or csv, got %q", format)
	}
	page, err := h.Audit.ExportPage(r.Context(), f, 0, exportPage)
	if err != nil {
		return err
	}
	out := newEventWriter(w, format)
	for len(page) > 0 {
		for _, e := range page {
			if err := out.write(e); err != nil {
				return nil // the client went away; the status is sent already
			}
		}
		out.flush()
		if page, err = h.Audit.ExportPage(r.Context(), f, page[len(page)-1].ID, exportPage); err != nil {
			h.Log.WarnContext(r.Context(), "event export cut short", "err", err)
			return nil
		}
	}
	return nil
}

// eventWriter writes events as JSON lines or CSV rows.
type eventWriter struct {
	w    http.ResponseWriter
	enc  *json.Encoder
	csv  *csv.Writer
	head bool
}

func newEventWriter(w http.ResponseWriter, format string) *eventWriter {
	ext, ctype := "jsonl", "application/jsonl"
	if format == "csv" {
		ext, ctype = "csv", "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="airlock-events.`+ext+`"`)
	w.WriteHeader(http.StatusOK)
	if format == "csv" {
		return &eventWriter{w: w, csv: csv.NewWriter(w)}
	}
	return &eventWriter{w: w, enc: json.NewEncoder(w)}
}

func (e *eventWriter) write(ev airlock.Event) error {
	if e.enc != nil {
		return e.enc.Encode(ev)
	}
	if !e.head {
		e.head = true
		if err := e.csv.Write([]string{"id", "created_at", "type", "subject", "actor", "payload"}); err != nil {
			return err
		}
	}
	return e.csv.Write([]string{strconv.FormatInt(ev.ID, 10), ev.CreatedAt.UTC().Format(time.RFC3339Nano), ev.Type,
		ev.Subject, ev.Actor, string(ev.Payload)})
}

func (e *eventWriter) flush() {
	if e.csv != nil {
		e.csv.Flush()
	}
	if f, ok := e.w.(http.Flusher); ok {
		f.Flush()
	}
}
