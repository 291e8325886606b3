package webhook

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
)

type quayPayload struct {
	Repository  string   `json:"repository"` // namespace/name
	Namespace   string   `json:"namespace"`
	DockerURL   string   `json:"docker_url"` // host/namespace/name
	UpdatedTags quayTags `json:"updated_tags"`
}

// quayTags are a push's tags: an array, or in older deliveries an object
// keyed by tag ({"latest": "<image id>"}).
type quayTags []string

func (t *quayTags) UnmarshalJSON(b []byte) error {
	var list []string
	if json.Unmarshal(b, &list) == nil {
		*t = list
		return nil
	}
	var byTag map[string]json.RawMessage
	if json.Unmarshal(b, &byTag) != nil {
		return errors.New("updated_tags must be an array of tags or an object keyed by tag")
	}
	*t = slices.Sorted(maps.Keys(byTag))
	return nil
}

// decodeQuay reads a repository push, one push per updated tag. Quay gives
// neither digest nor id.
func decodeQuay(_ http.Header, body []byte) (Delivery, error) {
	var p quayPayload
	if err := decodeJSON(body, &p); err != nil {
		return Delivery{}, err
	}
	host, path, _ := strings.Cut(p.DockerURL, "/")
	if p.DockerURL == "" {
		host, path = "quay.io", p.Repository
		if !strings.Contains(path, "/") {
			path = p.Namespace + "/" + path
		}
	}
	if len(p.UpdatedTags) == 0 {
		return ignore("no updated tags")
	}
	var d Delivery
	for _, tag := range p.UpdatedTags {
		ref, err := newRef(host, path, tag, "")
		if err != nil {
			return Delivery{}, err
		}
		d.Pushes = append(d.Pushes, Push{Ref: ref})
	}
	return d, nil
}
