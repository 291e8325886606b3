package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/store"
)

// TestEventExport streams every matching event, across pages, as JSON
// lines and as CSV; subject filters like the event list.
func TestEventExport(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		err := s.DB.InTx(context.Background(), "exporter", func(tx *store.Tx) error {
			for i := range 1203 {
				if err := tx.AddEvent(context.Background(), "test.exported", fmt.Sprintf("thing/%d", i%3), map[string]int{"i": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		viewer := s.Token(airlock.RoleViewer)
		r := s.Do("GET", "/api/v1/events/export?type=test.*&subject=thing/1", viewer, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/jsonl" {
			t.Fatalf("jsonl export: %d %v", r.Status, r.Header)
		}
		var last int64
		n := 0
		for sc := bufio.NewScanner(bytes.NewReader(r.Body)); sc.Scan(); n++ {
			var e airlock.Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Subject != "thing/1" || e.ID <= last {
				t.Fatalf("line %d: %s (%v)", n, sc.Bytes(), err)
			}
			last = e.ID
		}
		if n != 401 {
			t.Errorf("%d events exported, want 401", n)
		}
		r = s.Do("GET", "/api/v1/events/export?format=csv&type=test.exported", viewer, nil)
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil || r.Status != 200 || len(rows) != 1204 || rows[0][2] != "type" || rows[1][4] != "exporter" || rows[1][5] != `{"i":0}` {
			t.Fatalf("csv export: %d, %d rows, %v: %v", r.Status, len(rows), err, rows[:2])
		}
		s.Must(422, "GET", "/api/v1/events/export?format=xml", nil)
		if r := s.Do("GET", "/api/v1/events/export", "", nil); r.Status != 401 {
			t.Errorf("export without a token: %d", r.Status)
		}
	})
}
