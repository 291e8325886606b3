package policy

import (
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceFilter narrows a policy to some devices; see airlock.DeviceSelector.
type DeviceFilter = airlock.DeviceSelector

// Bounds that keep a filter a selector rather than a fleet inventory.
const (
	maxFilterLabels = 64
	maxFilterUUIDs  = 10000
)

func validateFilter(f DeviceFilter) error {
	switch {
	case len(f.Labels) > maxFilterLabels:
		return airlock.FieldErrorf("device_filter", "at most %d labels", maxFilterLabels)
	case len(f.UUIDs) > maxFilterUUIDs:
		return airlock.FieldErrorf("device_filter", "at most %d uuids", maxFilterUUIDs)
	}
	for k := range f.Labels {
		if k == "" {
			return airlock.FieldErrorf("device_filter", "label keys must not be empty")
		}
	}
	if slices.Contains(f.UUIDs, "") {
		return airlock.FieldErrorf("device_filter", "uuids must not be empty")
	}
	return nil
}
