package service

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// AuthenticateDevice checks that key belongs to the device uuid: a device key
// speaks only for its own device.
func (s *Service) AuthenticateDevice(ctx context.Context, uuid, key string) (string, error) {
	if key == "" {
		return "", airlock.Errorf(airlock.EUNAUTHORIZED, "missing device key")
	}
	owner, err := s.DB.DeviceByKey(ctx, key)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return "", airlock.Errorf(airlock.EUNAUTHORIZED, "invalid device key")
	}
	if err != nil {
		return "", err
	}
	if owner != uuid {
		return "", airlock.Errorf(airlock.EFORBIDDEN, "this key belongs to another device")
	}
	return owner, nil
}
