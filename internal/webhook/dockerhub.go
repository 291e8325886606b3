package webhook

import (
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// hubPayload is the part of a Docker Hub repository webhook we read. Fields
// whose types drifted over the years (comment_count as a string) are left
// out so they cannot fail a delivery.
type hubPayload struct {
	PushData struct {
		Tag      string    `json:"tag"`
		Pusher   string    `json:"pusher"`
		PushedAt timestamp `json:"pushed_at"`
	} `json:"push_data"`
	Repository struct {
		RepoName string `json:"repo_name"`
	} `json:"repository"`
}

// decodeDockerHub reads one push, which carries neither id nor digest.
func decodeDockerHub(_ http.Header, body []byte) (Delivery, error) {
	var p hubPayload
	if err := decodeJSON(body, &p); err != nil {
		return Delivery{}, err
	}
	switch {
	case p.Repository.RepoName == "":
		return Delivery{}, fail("no repository.repo_name")
	case p.PushData.Tag == "":
		return Delivery{}, fail("no push_data.tag")
	}
	ref, err := newRef(imageref.DefaultRegistry, p.Repository.RepoName, p.PushData.Tag, "")
	if err != nil {
		return Delivery{}, err
	}
	push := Push{Ref: ref, PushedAt: time.Time(p.PushData.PushedAt), Pusher: p.PushData.Pusher}
	return Delivery{Pushes: []Push{push}}, nil
}
