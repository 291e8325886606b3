// Package webhook turns container-registry push deliveries into Pushes and
// authenticates them. It is pure: headers and bytes in, values out.
package webhook

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/artifact"
	"github.com/airlock-iot/airlock/internal/imageref"
)

// Push is one tagged image that a registry reports as pushed.
type Push struct {
	Source     string // dockerhub|ghcr|harbor|quay|distribution|acr|generic
	DeliveryID string // "" when the sender gives none; pushes of one delivery may share it
	Ref        imageref.Ref
	PushedAt   time.Time // zero when unknown
	Pusher     string
	Manifest   artifact.Manifest // what the sender tells of the manifest; Tag at least
}

// Bad is an event of a delivery that could not be read, though the
// delivery itself could: it is answered in the body, not with a 400.
type Bad struct {
	Index   int    // its place among the delivery's events
	ID      string // its id, when it has one
	Message string
}

// Delivery is what one webhook request reports. Ignored says why nothing in
// it is deployable (a pull, a blob push, an untagged manifest); the caller
// still answers 2xx, or the registry would retry it for ever.
type Delivery struct {
	Source  string
	Pushes  []Push
	Bad     []Bad
	Ignored string
}

// Sources are the formats Decode reads, by the name used in
// /api/v1/webhooks/{source}.
var Sources = []string{"dockerhub", "ghcr", "harbor", "quay", "distribution", "acr", "generic"}

type decoder func(h http.Header, body []byte) (Delivery, error)

var decoders = map[string]decoder{
	"dockerhub":    decodeDockerHub,
	"ghcr":         decodeGHCR,
	"harbor":       decodeHarbor,
	"quay":         decodeQuay,
	"distribution": decodeDistribution,
	"acr":          decodeACR,
	"generic":      decodeGeneric,
}

// Decode reads a delivery in the format of source, or, when source is "" or
// "docker-registry", in the format its headers and shape reveal. Anything
// wrong with what the sender wrote is EBADREQUEST; an unknown source is
// ENOTFOUND.
func Decode(source string, h http.Header, body []byte) (Delivery, error) {
	if source == "" || source == "docker-registry" {
		var err error
		if source, err = detect(h, body); err != nil {
			return Delivery{}, err
		}
	}
	dec, ok := decoders[source]
	if !ok {
		return Delivery{}, airlock.Errorf(airlock.ENOTFOUND, "unknown webhook source %q: want one of %s", source, strings.Join(Sources, ", "))
	}
	d, err := dec(h, body)
	if err != nil {
		// Decoders also pass on imageref's EINVALID; here it was the sender's fault.
		return Delivery{}, airlock.Errorf(airlock.EBADREQUEST, "%s payload: %s", source, airlock.ErrorMessage(err))
	}
	d.Source = source
	for i := range d.Pushes {
		p := &d.Pushes[i]
		p.Source, p.Manifest.Tag = source, p.Ref.Tag
	}
	return d, nil
}

// shapes tell formats apart by the top-level members only each one has.
var shapes = []struct {
	source string
	keys   []string
}{
	{"distribution", []string{"events"}},
	{"dockerhub", []string{"push_data", "repository"}},
	{"ghcr", []string{"package"}},
	{"ghcr", []string{"registry_package"}},
	{"harbor", []string{"event_data"}},
	{"harbor", []string{"specversion"}},
	{"quay", []string{"updated_tags"}},
	{"acr", []string{"action", "target"}},
	{"generic", []string{"image"}},
}

func detect(h http.Header, body []byte) (string, error) {
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case h.Get("X-GitHub-Event") != "":
		return "ghcr", nil
	case strings.HasPrefix(ct, "application/vnd.docker.distribution.events."):
		return "distribution", nil
	case ct == "application/cloudevents+json":
		return "harbor", nil
	}
	var members map[string]json.RawMessage
	if err := decodeJSON(body, &members); err != nil {
		return "", err
	}
	for _, s := range shapes {
		if hasAll(members, s.keys) {
			return s.source, nil
		}
	}
	return "", airlock.Errorf(airlock.EBADREQUEST, "unrecognised webhook payload: name the source in the URL, one of %s", strings.Join(Sources, ", "))
}

func hasAll(members map[string]json.RawMessage, keys []string) bool {
	for _, k := range keys {
		if _, ok := members[k]; !ok {
			return false
		}
	}
	return true
}

// fail describes what a decoder could not read; Decode names the source.
func fail(format string, args ...any) error {
	return airlock.Errorf(airlock.EBADREQUEST, format, args...)
}

// ignore is a delivery with nothing to deploy.
func ignore(format string, args ...any) (Delivery, error) {
	return Delivery{Ignored: fmt.Sprintf(format, args...)}, nil
}
