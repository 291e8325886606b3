package webhook

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/artifact"
)

// event is one CNCF Distribution notification; ACR sends the same shape.
type event struct {
	ID        string    `json:"id"`
	Timestamp timestamp `json:"timestamp"`
	Action    string    `json:"action"`
	Target    struct {
		MediaType    string `json:"mediaType"`
		ArtifactType string `json:"artifactType"`
		Digest       string `json:"digest"`
		Repository   string `json:"repository"`
		Tag          string `json:"tag"`
		References   []struct {
			MediaType string `json:"mediaType"`
		} `json:"references"`
	} `json:"target"`
	Request struct {
		Host string `json:"host"`
	} `json:"request"`
	Actor struct {
		Name string `json:"name"`
	} `json:"actor"`
}

// manifestTypes are the media types of what can be pulled by tag; blobs
// (layers, configs) share the event stream.
var manifestTypes = map[string]bool{
	"application/vnd.docker.distribution.manifest.v1+json":      true,
	"application/vnd.docker.distribution.manifest.v1+prettyjws": true,
	"application/vnd.docker.distribution.manifest.v2+json":      true,
	"application/vnd.docker.distribution.manifest.list.v2+json": true,
	"application/vnd.oci.image.manifest.v1+json":                true,
	"application/vnd.oci.image.index.v1+json":                   true,
}

// push turns e into a push, or says why it is none.
func (e event) push() (p Push, ignored string, err error) {
	switch {
	case e.Action == "":
		return Push{}, "", fail("event %q has no action", e.ID)
	case e.Action != "push":
		return Push{}, e.Action + " event", nil
	case !manifestTypes[e.Target.MediaType]:
		return Push{}, "blob push", nil
	case e.Target.Tag == "":
		return Push{}, "untagged manifest push", nil
	}
	ref, err := newRef(e.Request.Host, e.Target.Repository, e.Target.Tag, e.Target.Digest)
	if err != nil {
		return Push{}, "", err
	}
	return Push{DeliveryID: e.ID, Ref: ref, PushedAt: time.Time(e.Timestamp), Pusher: e.Actor.Name, Manifest: e.manifest()}, "", nil
}

// manifest is what the event tells of the pushed manifest. With
// includereferences, an image manifest's references are its config, then
// its layers; an index's are its manifests.
func (e event) manifest() artifact.Manifest {
	m := artifact.Manifest{Tag: e.Target.Tag, MediaType: e.Target.MediaType, ArtifactType: e.Target.ArtifactType}
	refs := e.Target.References
	if len(refs) == 0 || indexTypes[m.MediaType] {
		return m
	}
	m.Config = refs[0].MediaType
	for _, r := range refs[1:] {
		m.Layers = append(m.Layers, r.MediaType)
	}
	return m
}

var indexTypes = map[string]bool{
	"application/vnd.docker.distribution.manifest.list.v2+json": true,
	"application/vnd.oci.image.index.v1+json":                   true,
}

// decodeDistribution reads a notification envelope, one push per tagged
// manifest push, each with its event's id. An event it cannot read is
// reported apart: the envelope was fine, and the registry would retry a
// refused one for ever.
func decodeDistribution(_ http.Header, body []byte) (Delivery, error) {
	var env struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := decodeJSON(body, &env); err != nil {
		return Delivery{}, err
	}
	var d Delivery
	var why []string
	for i, raw := range env.Events {
		var e event
		err := decodeJSON(raw, &e)
		var p Push
		var ignored string
		if err == nil {
			p, ignored, err = e.push()
		}
		switch {
		case err != nil:
			d.Bad = append(d.Bad, Bad{Index: i, ID: e.ID, Message: airlock.ErrorMessage(err)})
		case ignored != "":
			why = append(why, ignored)
		default:
			d.Pushes = append(d.Pushes, p)
		}
	}
	if len(d.Pushes) == 0 && len(d.Bad) == 0 {
		slices.Sort(why)
		return ignore("no tagged manifest push among %d events: %s", len(env.Events), strings.Join(slices.Compact(why), ", "))
	}
	return d, nil
}
