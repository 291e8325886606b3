package rules

import (
	"regexp"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
)

func validateLabels(l *Labels) error {
	if len(l.Require) == 0 || len(l.Require) > maxList {
		return airlock.FieldErrorf("require", "list 1 to %d labels", maxList)
	}
	for i, req := range l.Require {
		f := index("require", i)
		if err := checkWord(f+".key", req.Key, 255); err != nil {
			return err
		}
		if err := checkText(f+".pattern", req.Pattern, maxText); err != nil {
			return err
		}
		if _, err := regexp.Compile(req.Pattern); err != nil {
			return airlock.FieldErrorf(f+".pattern", "is not a regular expression: %v", err)
		}
	}
	return nil
}

func validateApprovals(a *Approvals) error {
	if a.Required == 0 {
		a.Required = 1
	}
	if a.Required < 1 || a.Required > 100 {
		return airlock.FieldErrorf("required", "must be between 1 and 100")
	}
	if len(a.Approvers) > 100 {
		return airlock.FieldErrorf("approvers", "at most 100 token names or roles")
	}
	for i, name := range a.Approvers {
		if err := checkWord(index("approvers", i), name, maxName); err != nil {
			return err
		}
	}
	_, err := parseDuration("expires_after", a.ExpiresAfter)
	return err
}

func validateChecks(c *Checks) error {
	if len(c.Required) == 0 || len(c.Required) > maxList {
		return airlock.FieldErrorf("required", "list 1 to %d check names", maxList)
	}
	for i, name := range c.Required {
		f := index("required", i)
		if err := checkWord(f, name, maxName); err != nil {
			return err
		}
		if !checkRE.MatchString(name) {
			return airlock.FieldErrorf(f, "use letters, digits, '_', '.', ':', '/' and '-'")
		}
		if slices.Contains(c.Required[:i], name) {
			return airlock.FieldErrorf(f, "%q is listed twice", name)
		}
	}
	return nil
}

func validateTestRing(t *TestRing) error {
	if len(t.Selector) == 0 || len(t.Selector) > maxList {
		return airlock.FieldErrorf("selector", "list 1 to %d device labels", maxList)
	}
	for k, v := range t.Selector {
		if err := checkWord("selector", k, maxName); err != nil {
			return err
		}
		if err := checkText("selector", v, maxText); err != nil {
			return err
		}
	}
	return nil
}
