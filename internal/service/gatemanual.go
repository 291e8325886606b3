package service

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/service/devices"
	"github.com/airlock-iot/airlock/internal/service/intake"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// gateManual passes an image an admin or approver asks to deploy through
// the same gate as a push. Asking raises no approval request: the person
// asking can add the image. An approved image's unknown tag is added, as a
// push would add it, with source admin.
func (s *Service) gateManual(ctx context.Context, tx *store.Tx, ref imageref.Ref) (gate.Decision, error) {
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag = "latest" // what a pull of the bare name gets
	}
	in, img, err := intake.Catalogue(ctx, tx, s.Internal, ref)
	if err != nil {
		return gate.Decision{}, err
	}
	in.Rules = supply.Manual(ctx, ref) // when the caller prejudged it
	dec := gate.Decide(in)
	if dec.AddTag {
		_, err := catalog.CreateTag(ctx, tx, airlock.Tag{ImageID: img.ID, Tag: ref.Tag, Digest: ref.Digest, Source: airlock.SourceAdmin})
		if err != nil && airlock.ErrorCode(err) != airlock.ECONFLICT {
			return dec, err
		}
	}
	return dec, nil
}

// Override is an admin's forced target-state write; see devices.Override.
type Override = devices.Override

// gateApps gates every app whose image a target-state write changes; an
// app keeping its image keeps it, whatever the catalogue says of it now.
// Refused images fail the write unless it is forced, when they are
// recorded as an override.
func (s *Service) gateApps(ctx context.Context, tx *store.Tx, uuid string, specs map[string]airlock.AppSpec, o Override) error {
	current, err := fleet.TargetImages(ctx, tx, uuid)
	if err != nil {
		return err
	}
	var refused []map[string]any
	for _, app := range slices.Sorted(maps.Keys(specs)) {
		image := specs[app].Image()
		if current[app] == image {
			continue
		}
		ref, _ := imageref.Parse(image) // parseApps normalised it
		dec, err := s.gateManual(ctx, tx, ref)
		if err != nil {
			return err
		}
		if dec.Allowed {
			continue
		}
		if !o.Force {
			dec.Err.Extra = maps.Clone(dec.Err.Extra)
			if dec.Err.Extra == nil {
				dec.Err.Extra = map[string]any{}
			}
			dec.Err.Extra["app"] = app
			return dec.Err
		}
		refused = append(refused, map[string]any{"app": app, "image": image, "outcome": dec.Outcome.String(), "refusal": dec.Err.Message})
	}
	if len(refused) == 0 {
		return nil
	}
	s.Log.WarnContext(ctx, fmt.Sprintf("gate overridden for device %s by %s", uuid, tx.Actor), "reason", o.Reason, "images", len(refused))
	return tx.AddEvent(ctx, "image.gate_overridden", "device/"+uuid,
		map[string]any{"uuid": uuid, "reason": o.Reason, "refused": refused})
}
