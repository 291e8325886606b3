package airlock

import "time"

// Page is one page of a list. Total counts every match, or, when
// TotalEstimated, is an estimate: past a threshold, counting exactly would
// cost more than the page. Next, when not "", is the cursor of the
// following page, to pass as ?after=.
type Page[T any] struct {
	Items          []T    `json:"items"`
	Total          int    `json:"total"`
	TotalEstimated bool   `json:"total_estimated,omitempty"`
	Next           string `json:"next,omitempty"`
}

// DeviceApp is one app of a device as the devices list shows it: what it
// should run beside what it last reported.
type DeviceApp struct {
	App          string `json:"app"`
	CurrentImage string `json:"current_image"`
	TargetImage  string `json:"target_image"`
	Status       string `json:"status"`
	Healthy      bool   `json:"healthy"`
}

// Device health, as the devices list sums it up.
const (
	HealthHealthy   = "healthy"   // every app runs its target image, healthy
	HealthUpdating  = "updating"  // some app does not run its target image yet
	HealthUnhealthy = "unhealthy" // some app reports unhealthy or failed
	HealthUnknown   = "unknown"   // never reported
)

// DeviceListItem is a device of the devices list, with its apps and a
// health summary, so that a page of the list needs no request per device.
type DeviceListItem struct {
	Device
	Apps       []DeviceApp `json:"apps"`
	Health     string      `json:"health"`
	ReportedAt *time.Time  `json:"reported_at"`
}
