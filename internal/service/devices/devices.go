// Package devices provisions devices, authenticates their polls and
// records what they report.
package devices

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// Input provisions a device. UUID is made when not given.
type Input struct {
	UUID         string            `json:"uuid"`
	Name         string            `json:"name"`
	Labels       map[string]string `json:"labels"`
	Architecture string            `json:"architecture"` // OCI (arm64) or uname -m (aarch64) spelling
	Platform     string            `json:"platform"`     // OCI form, linux/arm/v7; from architecture when not given
}

var (
	uuidRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	archRe = regexp.MustCompile(`^[A-Za-z0-9._-]{0,32}$`)
	// Label keys and values may not hold what the list filter
	// "labels=k=v,k2=v2" uses as separators.
	labelKeyRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$`)
	labelValueRe = regexp.MustCompile(`^[A-Za-z0-9._:/@+-]{0,253}$`)
)

// newDeviceKey makes a device key: 32 random bytes, stored only as SHA-256,
// which is enough for a secret of that strength and cheap on every poll.
func (s Devices) newDeviceKey() string { return s.NewSecret("dk_", 32) }

// Create provisions a device and returns it with its key, shown this once.
func (s Devices) Create(ctx context.Context, actor string, in Input) (airlock.Device, error) {
	if in.UUID == "" {
		in.UUID = newUUID()
	}
	if err := validateDevice(in); err != nil {
		return airlock.Device{}, err
	}
	var err error
	if in.Architecture, in.Platform, err = devicePlatform(in.Architecture, in.Platform); err != nil {
		return airlock.Device{}, err
	}
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	key := s.newDeviceKey()
	var d airlock.Device
	err = s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		d, err = fleet.CreateDevice(ctx, tx, airlock.Device{UUID: in.UUID, Name: in.Name, Labels: in.Labels,
			Architecture: in.Architecture, Platform: in.Platform}, store.HashSecret(key))
		return err
	})
	d.APIKey = key
	return d, err
}

func validateDevice(in Input) error {
	switch {
	case !uuidRe.MatchString(in.UUID):
		return airlock.FieldErrorf("uuid", "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit")
	case len(in.Name) > 200:
		return airlock.FieldErrorf("name", "must be at most 200 characters")
	case !archRe.MatchString(in.Architecture):
		return airlock.FieldErrorf("architecture", "must be at most 32 letters, digits, '.', '_' or '-'")
	case len(in.Labels) > 64:
		return airlock.FieldErrorf("labels", "at most 64 labels")
	}
	for k, v := range in.Labels {
		if !labelKeyRe.MatchString(k) {
			return airlock.FieldErrorf("labels", "label key %q: 1 to 63 letters, digits, '.', '_', '/' or '-', starting with a letter or digit", k)
		}
		if !labelValueRe.MatchString(v) {
			return airlock.FieldErrorf("labels."+k, "label value %q: at most 253 letters, digits or . _ : / @ + -", v)
		}
	}
	return nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// RotateKey gives a device a new key; the old one stops working at once.
func (s Devices) RotateKey(ctx context.Context, actor, uuid string) (airlock.Device, error) {
	key := s.newDeviceKey()
	var d airlock.Device
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		d, err = fleet.SetDeviceKey(ctx, tx, uuid, store.HashSecret(key))
		return err
	})
	d.Online, d.APIKey = s.online(d.LastSeenAt), key
	return d, err
}

// Delete removes a device with its states and its part in rollouts.
func (s Devices) Delete(ctx context.Context, actor, uuid string) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return fleet.DeleteDevice(ctx, tx, uuid) })
}

// Get returns a device with its target state, last report and rollouts.
func (s Devices) Get(ctx context.Context, uuid string) (airlock.DeviceDetail, error) {
	var dd airlock.DeviceDetail
	var err error
	if dd.Device, err = fleet.Device(ctx, s.DB, uuid); err != nil {
		return dd, err
	}
	dd.Online = s.online(dd.LastSeenAt)
	if dd.TargetState, err = fleet.TargetState(ctx, s.DB, uuid); err != nil {
		return dd, err
	}
	if dd.CurrentState, err = fleet.Report(ctx, s.DB, uuid); err != nil {
		return dd, err
	}
	dd.Rollouts, err = fleet.DeviceRollouts(ctx, s.DB, uuid)
	return dd, err
}

// maxApps bounds the apps of one target state or report.
const maxApps = 100

// ParseApps checks a target state's apps and normalises each image.
func ParseApps(apps map[string]json.RawMessage) (map[string]airlock.AppSpec, error) {
	if apps == nil {
		return nil, airlock.FieldErrorf("apps", "is required: an object of app name → {\"image\": …}")
	}
	if len(apps) > maxApps {
		return nil, airlock.FieldErrorf("apps", "at most %d apps", maxApps)
	}
	specs := make(map[string]airlock.AppSpec, len(apps))
	for name, raw := range apps {
		spec, err := parseApp(name, raw)
		if err != nil {
			return nil, err
		}
		specs[name] = spec
	}
	return specs, nil
}

func parseApp(name string, raw json.RawMessage) (airlock.AppSpec, error) {
	field := "apps." + name
	if !nameRe.MatchString(name) {
		return nil, airlock.FieldErrorf("apps", "app name %q: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	var spec airlock.AppSpec
	if err := json.Unmarshal(raw, &spec); err != nil || spec == nil {
		return nil, airlock.FieldErrorf(field, "must be an object with an image")
	}
	var image string
	if err := json.Unmarshal(spec["image"], &image); err != nil || image == "" {
		return nil, airlock.FieldErrorf(field+".image", "is required: an image reference such as redis:7.2-alpine")
	}
	ref, err := imageref.Parse(image)
	if err != nil {
		return nil, airlock.FieldErrorf(field+".image", "%s", airlock.ErrorMessage(err))
	}
	return spec.WithImage(ref.String()), nil
}

// ReportState stores a device's report of what it runs, stamped with the
// server's clock. The device is the one its key proved; nothing in the
// body can name another.
func (s Devices) ReportState(ctx context.Context, uuid string, r airlock.DeviceReport) (airlock.DeviceReport, error) {
	if err := normaliseReport(&r); err != nil {
		return r, err
	}
	r.ReportedAt = s.DB.Now()
	if s.Reports == nil {
		return r, s.storeReport(ctx, uuid, r)
	}
	return r, s.Reports.save(s, uuid, r)
}

func normaliseReport(r *airlock.DeviceReport) error {
	switch {
	case r.Apps == nil:
		return airlock.FieldErrorf("apps", "is required: an object of app name → {\"image\", \"status\", \"health\", \"message\", …}")
	case len(r.Apps) > maxApps:
		return airlock.FieldErrorf("apps", "at most %d apps", maxApps)
	case len(r.Metrics) > 64:
		return airlock.FieldErrorf("metrics", "at most 64 metrics")
	}
	if r.Platform != "" {
		p, err := platform.Parse(r.Platform)
		if err != nil {
			return airlock.FieldErrorf("platform", "%s", err.Error())
		}
		r.Platform = p.String()
	}
	for name, app := range r.Apps {
		field := "apps." + name
		if !nameRe.MatchString(name) {
			return airlock.FieldErrorf("apps", "app name %q: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
		}
		ref, err := imageref.Parse(app.Image)
		if err != nil {
			return airlock.FieldErrorf(field+".image", "%s", airlock.ErrorMessage(err))
		}
		if app.Digest != "" {
			if err := imageref.ValidDigest(app.Digest); err != nil {
				return airlock.FieldErrorf(field+".digest", "%s", airlock.ErrorMessage(err))
			}
		}
		app.Image, app.Status = ref.String(), strings.ToLower(strings.TrimSpace(app.Status))
		if app.Status == "" || len(app.Status) > 32 {
			return airlock.FieldErrorf(field+".status", "is required: running, failed, deferred, … (at most 32 characters)")
		}
		checked, err := rollout.CheckReport(rollout.Report{Status: app.Status, Health: app.Health, Message: app.Message,
			RestartCount: app.RestartCount})
		if ae := (*airlock.Error)(nil); errors.As(err, &ae) {
			return airlock.FieldErrorf(field+"."+ae.Field, "%s", ae.Message)
		}
		app.Health, app.Message = checked.Health, checked.Message
		r.Apps[name] = app
	}
	return nil
}

// devicePlatform normalises a device's architecture (uname -m spellings
// too: x86_64, aarch64, armv7l) and its platform, which it derives from
// the architecture when not given. An architecture no platform reads is
// kept as given, and the platform left unknown.
func devicePlatform(arch, plat string) (string, string, error) {
	if plat != "" {
		p, err := platform.Parse(plat)
		if err != nil {
			return arch, plat, airlock.FieldErrorf("platform", "%s", err.Error())
		}
		plat = p.String()
	}
	if arch == "" {
		return arch, plat, nil
	}
	p, err := platform.Parse(arch)
	if err != nil {
		return arch, plat, nil
	}
	if plat == "" {
		plat = p.String()
	}
	return p.Architecture, plat, nil
}

// Refs are the images of a target state's apps, parsed; ParseApps has
// normalised them.
func Refs(specs map[string]airlock.AppSpec) []imageref.Ref {
	refs := make([]imageref.Ref, 0, len(specs))
	for _, app := range specs {
		if ref, err := imageref.Parse(app.Image()); err == nil {
			refs = append(refs, ref)
		}
	}
	return refs
}
