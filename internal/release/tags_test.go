package release

import (
	"slices"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/policy"
)

func TestSortTags(t *testing.T) {
	in := []string{"latest", "7.5", "7.6-alpine", "7.10", "v8", "edge", "7.6", "1.0.0-rc1", "1.0.0", "7.5.0", "20240101", "sha-1a2b"}
	want := []string{"20240101", "v8", "7.10", "7.6", "7.6-alpine", "7.5.0", "7.5", "1.0.0", "1.0.0-rc1", "sha-1a2b", "latest", "edge"}
	if got := SortTags(in); !slices.Equal(got, want) {
		t.Fatalf("SortTags = %v\n          want %v", got, want)
	}
	if in[0] != "latest" {
		t.Fatal("SortTags changed its input")
	}
	if got := SortTags(nil); len(got) != 0 {
		t.Fatalf("SortTags(nil) = %v", got)
	}
}

// FuzzSortTags: the order is total and independent of the input's order,
// and keeps every tag.
func FuzzSortTags(f *testing.F) {
	for _, s := range [][3]string{
		{"7.5", "7.5.0", "v7.5"}, {"latest", "7.6-alpine", "7.6-bookworm"}, {"1.0.0-rc1", "1.0.0", "1.0.0+build"},
		{"", "0", "00"}, {"v1.2.3-alpha.1", "1.2.3-alpha.beta", "1.2.3-alpha"}, {"99999999999999999999", "1e3", "0x10"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		want := SortTags([]string{a, b, c})
		for _, perm := range [][]string{{a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}} {
			if got := SortTags(perm); !slices.Equal(got, want) {
				t.Fatalf("SortTags(%q) = %q, but SortTags(%q) = %q", perm, got, []string{a, b, c}, want)
			}
		}
		sorted := slices.Clone(want)
		slices.Sort(sorted)
		in := []string{a, b, c}
		slices.Sort(in)
		if !slices.Equal(sorted, in) {
			t.Fatalf("SortTags(%q) = %q: not a permutation", []string{a, b, c}, want)
		}
	})
}

func TestSelectTags(t *testing.T) {
	since := t0
	policies := []policy.Policy{
		{ID: 1, ImagePattern: "redis:7*", Enabled: true},
		{ID: 2, ImagePattern: "redis:latest", Enabled: false},
		{ID: 3, ImagePattern: "redis:8*", TagConstraint: ">= 8.2", Enabled: true},
		{ID: 4, ImagePattern: "redis:[", Enabled: true},
	}
	tags := []string{"6.2", "7.0", "7.2", "7.4-alpine", "latest", "7.6", "8.0", "8.2", "7.6", "-bad"}
	known := []KnownTag{
		{Tag: "7.6", SeenAt: since.Add(-time.Hour)},
		{Tag: "7.4-alpine", SeenAt: since.Add(-time.Hour)}, {Tag: "7.4-alpine", SeenAt: since.Add(time.Minute)},
		{Tag: "7.0", SeenAt: since.Add(-2 * time.Hour)},
	}
	cases := []struct {
		name  string
		known []KnownTag
		since time.Time
		limit int
		want  Plan
	}{
		{name: "nothing known, bounded", limit: 2,
			want: Plan{Head: []string{"8.2", "7.6"}, Matching: 5, Deferred: 3}},
		{name: "nothing known, default bound", limit: 0,
			want: Plan{Head: []string{"8.2", "7.6", "7.4-alpine", "7.2", "7.0"}, Matching: 5}},
		{name: "known tags keep half the bound", known: known, since: since, limit: 2,
			want: Plan{Head: []string{"8.2", "7.6"}, Matching: 5, Delivered: 1, Deferred: 2}},
		{name: "new tags take what known ones leave", known: known, since: since, limit: 3,
			want: Plan{Head: []string{"8.2", "7.6", "7.2"}, Matching: 5, Delivered: 1, Deferred: 1}},
		{name: "known ones take what new ones leave", known: known, since: since, limit: 10,
			want: Plan{Head: []string{"8.2", "7.6", "7.2", "7.0"}, Matching: 5, Delivered: 1}},
		{name: "first poll: every known tag is stale", known: known, limit: 10,
			want: Plan{Head: []string{"8.2", "7.6", "7.4-alpine", "7.2", "7.0"}, Matching: 5}},
		{name: "bound of one goes to a new tag", known: known, since: since, limit: 1,
			want: Plan{Head: []string{"8.2"}, Matching: 5, Delivered: 1, Deferred: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SelectTags(Poll{Repository: "docker.io/library/redis", Tags: tags, Policies: policies,
				Known: c.known, Since: c.since, Limit: c.limit})
			if !slices.Equal(got.Head, c.want.Head) || got.Matching != c.want.Matching ||
				got.Delivered != c.want.Delivered || got.Deferred != c.want.Deferred {
				t.Fatalf("got %+v\n want %+v", got, c.want)
			}
		})
	}
}

func TestSelectTagsAllKnown(t *testing.T) {
	p := Poll{Repository: "ghcr.io/acme/agent", Tags: []string{"main", "v1.2.0", "v1.10.0"},
		Policies: []policy.Policy{{ID: 1, ImagePattern: "ghcr.io/acme/agent", Enabled: true}},
		Known:    []KnownTag{{Tag: "main"}, {Tag: "v1.2.0"}, {Tag: "v1.10.0"}}, Since: t0, Limit: 1}
	if got := SelectTags(p); !slices.Equal(got.Head, []string{"v1.10.0"}) || got.Deferred != 2 {
		t.Fatalf("got %+v", got)
	}
	p.Policies = nil
	if got := SelectTags(p); len(got.Head) != 0 || got.Matching != 0 {
		t.Fatalf("no policy, yet %+v", got)
	}
}
