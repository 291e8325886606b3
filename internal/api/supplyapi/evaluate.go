package supplyapi

import (
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/release"
)

// EvaluateInput names a release to judge: an image reference, pinned by
// digest for the rules that read content, and when it was pushed.
type EvaluateInput struct {
	Image    string    `json:"image"` // "ghcr.io/acme/app:1.2.0@sha256:…"
	PushedAt time.Time `json:"pushed_at,omitzero"`
	Pusher   string    `json:"pusher,omitempty"`
}

// Evaluate judges a release by the rules now, changing nothing: each
// rule's verdict, and what the release would wait for.
func (h Handlers) Evaluate(w http.ResponseWriter, r *http.Request) error {
	var in EvaluateInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ref, err := imageref.Parse(in.Image)
	if err != nil {
		return airlock.FieldErrorf("image", "%s", airlock.ErrorMessage(err))
	}
	rel := release.Release{Registry: ref.Registry, Namespace: ref.Namespace, Name: ref.Name, Tag: ref.Tag,
		Digest: ref.Digest, PushedAt: in.PushedAt, Pusher: in.Pusher, Pinned: ref.Digest != ""}
	out, err := h.Checker.Evaluate(r.Context(), rel)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
