package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// Bounds on cost rules.
const (
	MaxRules    = 100
	MaxLabels   = 16
	MaxPerGB    = 1e6 // per GB, in the currency's unit
	maxRulesLen = 64 << 10
)

// Rule prices the bytes downloaded by devices that carry all its labels.
// A rule with no labels matches every device: a default price.
type Rule struct {
	Labels   map[string]string `json:"labels"`
	PerGB    float64           `json:"per_gb"`
	Currency string            `json:"currency"` // ISO 4217: "EUR"
}

var (
	labelKeyRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$`)
	labelValueRe = regexp.MustCompile(`^[A-Za-z0-9._:/@+-]{0,253}$`)
	currencyRe   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ParseRules decodes and validates cost_rules JSON, refusing unknown
// fields. Errors are EINVALID naming the field, as
// "cost_rules[1].per_gb"; field is the name the document has ("cost_rules").
func ParseRules(field string, b []byte) ([]Rule, error) {
	if len(b) > maxRulesLen {
		return nil, airlock.FieldErrorf(field, "must be at most %d bytes", maxRulesLen)
	}
	if !utf8.Valid(b) {
		return nil, airlock.FieldErrorf(field, "must be valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rules []Rule
	if err := dec.Decode(&rules); err != nil {
		return nil, airlock.FieldErrorf(field, "must be a list of {\"labels\", \"per_gb\", \"currency\"}: %v", err)
	}
	if dec.More() {
		return nil, airlock.FieldErrorf(field, "must hold one JSON list")
	}
	if err := ValidateRules(field, rules); err != nil {
		return nil, err
	}
	return rules, nil
}

// ValidateRules checks each rule: labels like a device's (at most
// MaxLabels), a finite price from 0 to MaxPerGB, a three-letter currency
// code, the same currency in every rule (so that a rollout's devices add up
// to one sum), and no two rules with the same labels (the second could
// never apply).
func ValidateRules(field string, rules []Rule) error {
	if len(rules) > MaxRules {
		return airlock.FieldErrorf(field, "at most %d rules", MaxRules)
	}
	for i, r := range rules {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := validateRule(f, r); err != nil {
			return err
		}
		if r.Currency != rules[0].Currency {
			return airlock.FieldErrorf(f+".currency", "must be %s, like every other rule", rules[0].Currency)
		}
		for j := range i {
			if maps.Equal(r.Labels, rules[j].Labels) {
				return airlock.FieldErrorf(f+".labels", "are the labels of %s[%d]", field, j)
			}
		}
	}
	return nil
}

func validateRule(f string, r Rule) error {
	if len(r.Labels) > MaxLabels {
		return airlock.FieldErrorf(f+".labels", "at most %d labels", MaxLabels)
	}
	for k, v := range r.Labels {
		if err := checkText(f+".labels", k); err != nil {
			return err
		}
		if !labelKeyRe.MatchString(k) {
			return airlock.FieldErrorf(f+".labels", "label key %q: 1 to 63 letters, digits, '.', '_', '/' or '-', starting with a letter or digit", k)
		}
		if err := checkText(f+".labels."+k, v); err != nil {
			return err
		}
		if !labelValueRe.MatchString(v) {
			return airlock.FieldErrorf(f+".labels."+k, "label value %q: at most 253 letters, digits or . _ : / @ + -", v)
		}
	}
	if math.IsNaN(r.PerGB) || r.PerGB < 0 || r.PerGB > MaxPerGB {
		return airlock.FieldErrorf(f+".per_gb", "must be a number from 0 to %g", float64(MaxPerGB))
	}
	if err := checkText(f+".currency", r.Currency); err != nil {
		return err
	}
	if !currencyRe.MatchString(r.Currency) {
		return airlock.FieldErrorf(f+".currency", "must be a three-letter ISO 4217 code such as EUR, got %q", r.Currency)
	}
	return nil
}

// checkText refuses what PostgreSQL cannot store or a message cannot show.
func checkText(field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return airlock.FieldErrorf(field, "must be valid UTF-8")
	case strings.ContainsRune(s, 0):
		return airlock.FieldErrorf(field, "must not contain NUL")
	}
	return nil
}

// Match returns the rule that prices a device with labels, and its index:
// the most specific matching rule (the one with the most labels), the
// first of those in the list on a tie. ok is false when none matches; the
// device's bytes are then unpriced.
func Match(rules []Rule, labels map[string]string) (r Rule, index int, ok bool) {
	index = -1
	for i, c := range rules {
		if !matches(c.Labels, labels) {
			continue
		}
		if index < 0 || len(c.Labels) > len(rules[index].Labels) {
			index = i
		}
	}
	if index < 0 {
		return Rule{}, -1, false
	}
	return rules[index], index, true
}

func matches(want, labels map[string]string) bool {
	for k, v := range want {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
