package webhook

import (
	"net/http"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// decodeGeneric reads Airlock's own form, {"image": "host/ns/name:tag@digest"},
// for CI jobs and registries without a format of their own.
func decodeGeneric(_ http.Header, body []byte) (Delivery, error) {
	var p struct {
		Image string `json:"image"`
	}
	if err := decodeJSON(body, &p); err != nil {
		return Delivery{}, err
	}
	if p.Image == "" {
		return Delivery{}, fail("no image")
	}
	ref, err := imageref.Parse(p.Image)
	if err != nil {
		return Delivery{}, err
	}
	if ref.Tag == "" {
		return Delivery{}, fail("image %q has no tag", p.Image)
	}
	return Delivery{Pushes: []Push{{Ref: ref}}}, nil
}
