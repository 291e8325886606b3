package service

import (
	"context"
	"encoding/json"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/devices"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// DeviceInput provisions a device; see devices.Input.
type DeviceInput = devices.Input

// Fleet is the device use cases over the service's database.
func (s *Service) Fleet() devices.Devices {
	return devices.Devices{DB: s.DB, Log: s.Log, OfflineAfter: s.OfflineAfter, Seen: &s.seen, Reports: &s.reports, NewSecret: NewSecret, Gate: s.gateManual}
}

// CreateDevice provisions a device and returns it with its key, shown this once.
func (s *Service) CreateDevice(ctx context.Context, actor string, in DeviceInput) (airlock.Device, error) {
	return s.Fleet().Create(ctx, actor, in)
}

// RotateDeviceKey gives a device a new key; the old one stops working at once.
func (s *Service) RotateDeviceKey(ctx context.Context, actor, uuid string) (airlock.Device, error) {
	return s.Fleet().RotateKey(ctx, actor, uuid)
}

// DeleteDevice removes a device with its states and its part in rollouts.
func (s *Service) DeleteDevice(ctx context.Context, actor, uuid string) error {
	return s.Fleet().Delete(ctx, actor, uuid)
}

// Device returns a device with its target state, last report and rollouts.
func (s *Service) Device(ctx context.Context, uuid string) (airlock.DeviceDetail, error) {
	return s.Fleet().Get(ctx, uuid)
}

// Devices lists devices; q.Online filters by the offline threshold.
func (s *Service) Devices(ctx context.Context, q airlock.DeviceQuery) (airlock.Page[airlock.DeviceListItem], error) {
	return s.Fleet().List(ctx, q)
}

// ReportState stores a device's report of what it runs.
func (s *Service) ReportState(ctx context.Context, uuid string, r airlock.DeviceReport) (airlock.DeviceReport, error) {
	return s.Fleet().ReportState(ctx, uuid, r)
}

// AuthenticateDevice checks that key belongs to the device uuid and notes
// that the device was seen.
func (s *Service) AuthenticateDevice(ctx context.Context, uuid, key string) (airlock.DeviceSession, error) {
	return s.Fleet().Authenticate(ctx, uuid, key)
}

// SetTargetState replaces a device's target state with apps (as the admin
// sent them) and bumps its version. Each app's image is normalised; every
// other field is kept as given. Each image it changes passes the gate,
// unless the admin forces the write and says why.
func (s *Service) SetTargetState(ctx context.Context, actor, uuid string, apps map[string]json.RawMessage, o Override) (airlock.TargetState, error) {
	specs, err := devices.ParseApps(apps)
	if err != nil {
		return airlock.TargetState{}, err
	}
	if err := o.Validate(); err != nil {
		return airlock.TargetState{}, err
	}
	var ts airlock.TargetState
	ctx = s.judge().PrejudgeRefs(ctx, devices.Refs(specs)...)
	err = s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.gateApps(ctx, tx, uuid, specs, o); err != nil {
			return err
		}
		if ts, err = fleet.SetTargetState(ctx, tx, uuid, specs); err != nil {
			return err
		}
		return s.engine().JoinNew(ctx, tx, uuid, specs)
	})
	return ts, err
}
