package webhook

import (
	"net/http"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

type harborData struct {
	Resources []struct {
		Digest      string `json:"digest"`
		Tag         string `json:"tag"`
		ResourceURL string `json:"resource_url"` // host/namespace/name:tag
	} `json:"resources"`
	Repository struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"repository"`
}

// harborPayload holds both of Harbor's formats: the default one (type,
// occur_at, event_data) and CloudEvents (specversion, id, time, data).
type harborPayload struct {
	Type     string `json:"type"`
	Operator string `json:"operator"`

	OccurAt   timestamp   `json:"occur_at"`
	EventData *harborData `json:"event_data"`

	SpecVersion string      `json:"specversion"`
	ID          string      `json:"id"`
	Time        timestamp   `json:"time"`
	Data        *harborData `json:"data"`
}

// decodeHarbor reads an artifact push, one push per tagged resource: an
// index push lists each manifest.
func decodeHarbor(_ http.Header, body []byte) (Delivery, error) {
	var p harborPayload
	if err := decodeJSON(body, &p); err != nil {
		return Delivery{}, err
	}
	data, push := p.EventData, Push{PushedAt: time.Time(p.OccurAt), Pusher: p.Operator}
	if p.SpecVersion != "" {
		data, push.DeliveryID, push.PushedAt = p.Data, p.ID, time.Time(p.Time)
	}
	switch {
	case p.Type == "":
		return Delivery{}, fail("no event type")
	case p.Type != "PUSH_ARTIFACT" && p.Type != "harbor.artifact.pushed":
		return ignore("event type %q is not a push", p.Type)
	case data == nil:
		return Delivery{}, fail("no event data")
	}
	var d Delivery
	path := data.Repository.Namespace + "/" + data.Repository.Name
	for _, res := range data.Resources {
		// A push by digest has no tag, or the digest in its place.
		if res.Tag == "" || imageref.ValidDigest(res.Tag) == nil {
			continue
		}
		host, _, _ := strings.Cut(res.ResourceURL, "/")
		ref, err := newRef(host, path, res.Tag, res.Digest)
		if err != nil {
			return Delivery{}, err
		}
		push.Ref = ref
		d.Pushes = append(d.Pushes, push)
	}
	if len(d.Pushes) == 0 {
		return ignore("no tagged artifact among %d resources", len(data.Resources))
	}
	return d, nil
}
