package cost

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func TestParseRules(t *testing.T) {
	got, err := ParseRules("cost_rules", []byte(`[{"labels": {"link": "cellular"}, "per_gb": 8.5, "currency": "EUR"},
		{"labels": {}, "per_gb": 0, "currency": "EUR"}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{{Labels: map[string]string{"link": "cellular"}, PerGB: 8.5, Currency: "EUR"},
		{Labels: map[string]string{}, PerGB: 0, Currency: "EUR"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if got, err := ParseRules("cost_rules", []byte(`[]`)); err != nil || len(got) != 0 {
		t.Fatalf("empty list: %v %v", got, err)
	}
}

func TestParseRulesRefuses(t *testing.T) {
	rule := func(s string) string {
		return `[{"labels":{"link":"cellular"},"per_gb":8.5,"currency":"EUR"},` + s + `]`
	}
	cases := []struct {
		in, field, msg string
	}{
		{`{}`, "cost_rules", "must be a list"},
		{`[{"labels":{},"per_gb":1,"currency":"EUR","cost":2}]`, "cost_rules", "unknown field"},
		{`[] []`, "cost_rules", "one JSON list"},
		{"[\xff]", "cost_rules", "UTF-8"},
		{`[{"per_gb":"1","currency":"EUR"}]`, "cost_rules", "must be a list"},
		{`[{"per_gb":1e400,"currency":"EUR"}]`, "cost_rules", "must be a list"},
		{rule(`{"per_gb":-1,"currency":"EUR"}`), "cost_rules[1].per_gb", "from 0 to"},
		{rule(`{"per_gb":1000001,"currency":"EUR"}`), "cost_rules[1].per_gb", "from 0 to"},
		{rule(`{"per_gb":1,"currency":"eur"}`), "cost_rules[1].currency", "ISO 4217"},
		{rule(`{"per_gb":1}`), "cost_rules[1].currency", "ISO 4217"},
		{rule(`{"per_gb":1,"currency":"USD"}`), "cost_rules[1].currency", "must be EUR, like every other rule"},
		{rule(`{"per_gb":1,"currency":"E\u0000R"}`), "cost_rules[1].currency", "NUL"},
		{rule(`{"labels":{"link":"cellular"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels", "labels of cost_rules[0]"},
		{rule(`{"labels":{"":"x"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels", "label key"},
		{rule(`{"labels":{"a\u0000":"x"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels", "NUL"},
		{rule(`{"labels":{"link":"wi fi"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels.link", "label value"},
		{rule(`{"labels":{"link":"\u0000"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels.link", "NUL"},
		{rule(`{"labels":{"k":"` + strings.Repeat("v", 254) + `"},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels.k", "at most 253"},
		{rule(`{"labels":{` + manyLabels(17) + `},"per_gb":1,"currency":"EUR"}`), "cost_rules[1].labels", "at most 16 labels"},
		{`[` + strings.Repeat(`{"per_gb":1,"currency":"EUR"},`, 100) + `{"per_gb":1,"currency":"EUR"}]`, "cost_rules", "at most 100 rules"},
		{`[` + strings.Repeat(" ", 70000) + `]`, "cost_rules", "at most"},
	}
	for _, c := range cases {
		_, err := ParseRules("cost_rules", []byte(c.in))
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EINVALID || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
			t.Errorf("ParseRules(%.80s) = %v (field %q), want %s: …%s…", c.in, err, fieldOf(err), c.field, c.msg)
		}
	}
}

func manyLabels(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, `"k`+strings.Repeat("x", i)+`":"v"`)
	}
	return strings.Join(parts, ",")
}

func fieldOf(err error) string {
	var e *airlock.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestValidateRulesGoValues(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		err := ValidateRules("cost_rules", []Rule{{PerGB: v, Currency: "EUR"}})
		if fieldOf(err) != "cost_rules[0].per_gb" {
			t.Errorf("per_gb %v: %v", v, err)
		}
	}
	if err := ValidateRules("cost_rules", nil); err != nil {
		t.Errorf("no rules: %v", err)
	}
	if err := ValidateRules("cost_rules", []Rule{{Labels: map[string]string{"k": "\xff"}, PerGB: 1, Currency: "EUR"}}); fieldOf(err) != "cost_rules[0].labels.k" {
		t.Errorf("invalid UTF-8 value: %v", err)
	}
}

func TestMatch(t *testing.T) {
	rules := []Rule{
		{Labels: nil, PerGB: 0.5, Currency: "EUR"},
		{Labels: map[string]string{"link": "cellular"}, PerGB: 8.5, Currency: "EUR"},
		{Labels: map[string]string{"site": "north"}, PerGB: 3, Currency: "EUR"},
		{Labels: map[string]string{"link": "cellular", "carrier": "roaming"}, PerGB: 20, Currency: "EUR"},
	}
	cases := []struct {
		labels map[string]string
		index  int
	}{
		{nil, 0},
		{map[string]string{"link": "wired"}, 0},
		{map[string]string{"link": "cellular"}, 1},
		{map[string]string{"link": "cellular", "site": "north"}, 1}, // a tie of one label each: the first listed
		{map[string]string{"site": "north"}, 2},
		{map[string]string{"link": "cellular", "carrier": "roaming", "site": "north"}, 3},
	}
	for _, c := range cases {
		r, i, ok := Match(rules, c.labels)
		if !ok || i != c.index || r.PerGB != rules[c.index].PerGB {
			t.Errorf("Match(%v) = %d %v, want %d", c.labels, i, ok, c.index)
		}
	}
	if _, i, ok := Match(rules[1:], map[string]string{"link": "wired"}); ok || i != -1 {
		t.Errorf("no default rule: Match = %d %v", i, ok)
	}
}

// FuzzParseRules: ParseRules never panics, every refusal is an EINVALID
// naming a field under cost_rules, and accepted rules survive a JSON round
// trip and price any device without a negative or non-finite cost.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		`[{"labels": {"link": "cellular"}, "per_gb": 8.5, "currency": "EUR"}]`,
		`[{"labels": {}, "per_gb": 0, "currency": "USD"}, {"labels": {"a": "b", "c": "d"}, "per_gb": 1e6, "currency": "USD"}]`,
		`[]`, `null`, `{}`, `[{"per_gb": -0}]`, `[{"labels": {"\u0000": ""}}]`, "[\"\xff\"]", `[{"per_gb": 1e-320, "currency": "JPY"}]`,
	} {
		f.Add([]byte(s), "cellular", int64(180_000_000))
	}
	f.Fuzz(func(t *testing.T, b []byte, link string, bytes int64) {
		rules, err := ParseRules("cost_rules", b)
		if err != nil {
			var e *airlock.Error
			if !errors.As(err, &e) || e.Code != airlock.EINVALID || !strings.HasPrefix(e.Field, "cost_rules") {
				t.Fatalf("ParseRules(%q) = %v: want an EINVALID naming a field", b, err)
			}
			return
		}
		out, err := json.Marshal(rules)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRules("cost_rules", out)
		if err != nil {
			t.Fatalf("round trip of %s: %v", out, err)
		}
		if !cmp.Equal(rules, again) {
			t.Fatalf("round trip changed %v into %v", rules, again)
		}
		est := Estimate(rules, []Device{{UUID: "d", Labels: map[string]string{"link": link}, Bytes: bytes, Reported: true}})
		if c := est.EstimatedCost; c < 0 || math.IsNaN(c) || math.IsInf(c, 0) || est.ActualCost != c {
			t.Fatalf("Estimate under %s: %+v", b, est)
		}
	})
}
