package devices

import "github.com/airlock-iot/airlock/internal/airlock"

// Override is an admin's forced target-state write: the images the gate
// refused go through, and the reason is recorded.
type Override struct {
	Force  bool
	Reason string
}

// Validate checks that a forced write says why.
func (o Override) Validate() error {
	switch {
	case o.Force && o.Reason == "":
		return airlock.FieldErrorf("reason", "is required with force: say why the gate is overridden")
	case len(o.Reason) > 1000:
		return airlock.FieldErrorf("reason", "must be at most 1000 characters")
	}
	return nil
}
