package policy

import (
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// DeviceFilter narrows a policy to some devices. The empty filter admits all.
type DeviceFilter struct {
	Labels map[string]string `json:"labels,omitempty"` // every pair must be on the device
	UUIDs  []string          `json:"uuids,omitempty"`  // the device must be listed
}

// Matches reports whether a device passes every part of the filter that is set.
func (f DeviceFilter) Matches(uuid string, labels map[string]string) bool {
	if len(f.UUIDs) > 0 && !slices.Contains(f.UUIDs, uuid) {
		return false
	}
	for k, v := range f.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (f DeviceFilter) validate() error {
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
