package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/audit"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

func ids(evs []airlock.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestList(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.AddEvents(t, db, [2]string{"image.rollout_created", "rollout/1"}, [2]string{"image.tag.added", "image/1/tag/1"},
			[2]string{"image.rollout_completed", "rollout/1"}, [2]string{"imageXrollout_x", "rollout/2"},
			[2]string{"device.provisioned", "device/a"})
		for _, c := range []struct {
			f     airlock.EventFilter
			want  string
			total int
			next  string
		}{
			{airlock.EventFilter{Limit: 10}, "[1 2 3 4 5]", 5, ""},
			{airlock.EventFilter{Limit: 2}, "[4 5]", 5, ""}, // the latest, oldest first
			{airlock.EventFilter{After: 1, Limit: 2}, "[2 3]", 4, "3"},
			{airlock.EventFilter{After: 3, Limit: 2}, "[4 5]", 2, "5"}, // full: more may follow
			{airlock.EventFilter{After: 3, Limit: 3}, "[4 5]", 2, ""},
			{airlock.EventFilter{Before: 4, Limit: 2}, "[2 3]", 3, ""},
			{airlock.EventFilter{Type: "image.rollout_*", Limit: 10}, "[1 3]", 2, ""}, // "_" is no wildcard
			{airlock.EventFilter{Type: "image.tag.added", Limit: 10}, "[2]", 1, ""},
			{airlock.EventFilter{Type: "image.", Limit: 10}, "[]", 0, ""},
			{airlock.EventFilter{Subject: "rollout/1", Limit: 10}, "[1 3]", 2, ""},
			{airlock.EventFilter{Subject: "rollout/*", Type: "*", After: 1, Limit: 10}, "[3 4]", 2, ""},
		} {
			page, err := audit.List(ctx, db, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(ids(page.Items)); got != c.want || page.Total != c.total || page.Next != c.next || page.TotalEstimated {
				t.Errorf("%+v: %s total %d next %q, want %s total %d next %q", c.f, got, page.Total, page.Next, c.want, c.total, c.next)
			}
			for _, e := range page.Items {
				if !c.f.Matches(e) {
					t.Errorf("%+v does not match %+v it selected", c.f, e)
				}
			}
		}
	})
}

func TestExport(t *testing.T) {
	t.Parallel()
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.AddEvents(t, db, [2]string{"a.x", "s/1"}, [2]string{"b.x", "s/2"}, [2]string{"a.y", "s/1"}, [2]string{"a.z", "t/1"})
		for _, c := range []struct {
			f     airlock.EventFilter
			after int64
			limit int
			want  string
		}{
			{airlock.EventFilter{}, 0, 10, "[1 2 3 4]"},
			{airlock.EventFilter{Type: "a.*"}, 0, 2, "[1 3]"},
			{airlock.EventFilter{Type: "a.*", Before: 2}, 1, 10, "[3 4]"}, // the export ignores before
			{airlock.EventFilter{Subject: "s/1"}, 1, 10, "[3]"},
		} {
			evs, err := audit.Export(ctx, db, c.f, c.after, c.limit)
			if got := fmt.Sprint(ids(evs)); err != nil || got != c.want {
				t.Errorf("%+v after %d: %s, %v; want %s", c.f, c.after, got, err, c.want)
			}
		}
	})
}
