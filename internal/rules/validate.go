package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/policy"
)

// Bounds that keep a rule a rule rather than a data dump.
const (
	maxName     = 100
	maxText     = 512
	maxList     = 64
	maxCVEs     = 1000
	maxDuration = 365 * 24 * time.Hour
	minDuration = time.Minute
)

// Validate fills the defaults of r (mode enforce, and each kind's) and
// returns the first fault as an EINVALID naming the field.
func Validate(r *Rule) error {
	r.Name = strings.TrimSpace(r.Name)
	r.ImagePattern = strings.TrimSpace(r.ImagePattern)
	if r.Mode == "" {
		r.Mode = ModeEnforce
	}
	if err := checkName(r.Name); err != nil {
		return err
	}
	if _, err := policy.ParsePattern(r.ImagePattern); err != nil {
		return err
	}
	if r.Mode != ModeEnforce && r.Mode != ModeWarn {
		return airlock.FieldErrorf("mode", "must be %s or %s", ModeEnforce, ModeWarn)
	}
	if !slices.Contains(Kinds, r.Kind) {
		return airlock.FieldErrorf("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if err := onlyKind(r); err != nil {
		return err
	}
	return validateKind(r)
}

func checkName(name string) error {
	if name == "" {
		return airlock.FieldErrorf("name", "must not be empty")
	}
	if err := checkText("name", name, maxName); err != nil {
		return err
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return airlock.FieldErrorf("name", "must not contain control characters")
	}
	return nil
}

// onlyKind refuses a rule that carries another kind's fields, which a Go
// caller (not JSON, which cannot) might set by mistake.
func onlyKind(r *Rule) error {
	for _, k := range Kinds {
		if k != r.Kind && r.spec(k, false) != nil {
			return airlock.FieldErrorf("kind", "is %s but the rule has %s fields", r.Kind, k)
		}
	}
	r.spec(r.Kind, true)
	return nil
}

func validateKind(r *Rule) error {
	switch r.Kind {
	case KindSignature:
		return validateSignature(r.Signature)
	case KindVulnerabilities:
		return validateVulnerabilities(r.Vulnerabilities)
	case KindTag:
		return validateTag(r.Tag)
	case KindRegistries:
		return validateRegistries(r.Registries)
	case KindAge:
		return validateAge(r.Age)
	case KindLabels:
		return validateLabels(r.Labels)
	case KindApprovals:
		return validateApprovals(r.Approvals)
	case KindChecks:
		return validateChecks(r.Checks)
	}
	return validateTestRing(r.TestRing)
}

// checkText refuses text that is too long, not UTF-8 or holds NUL, which
// PostgreSQL cannot store.
func checkText(field, s string, max int) error {
	switch {
	case len(s) > max:
		return airlock.FieldErrorf(field, "must be at most %d bytes", max)
	case !utf8.ValidString(s):
		return airlock.FieldErrorf(field, "must be valid UTF-8")
	case strings.ContainsRune(s, 0):
		return airlock.FieldErrorf(field, "must not contain NUL")
	}
	return nil
}

// checkWord is checkText for a required identifier-like value: no spaces
// or control characters.
func checkWord(field, s string, max int) error {
	if s == "" {
		return airlock.FieldErrorf(field, "must not be empty")
	}
	if err := checkText(field, s, max); err != nil {
		return err
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return airlock.FieldErrorf(field, "must not contain spaces or control characters")
	}
	return nil
}

// parseDuration reads a bounded Go duration ("72h"); empty is zero.
func parseDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if err := checkText(field, s, 32); err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, airlock.FieldErrorf(field, "must be a duration such as \"72h\" or \"30m\"")
	case d < minDuration || d > maxDuration:
		return 0, airlock.FieldErrorf(field, "must be between %s and %s", minDuration, maxDuration)
	}
	return d, nil
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
