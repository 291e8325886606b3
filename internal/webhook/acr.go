package webhook

import "net/http"

// decodeACR reads an Azure Container Registry event: a Distribution event
// without the envelope, one per request. Some clients push once with a tag
// and once without; the untagged one is ignored.
func decodeACR(_ http.Header, body []byte) (Delivery, error) {
	var e event
	if err := decodeJSON(body, &e); err != nil {
		return Delivery{}, err
	}
	p, ignored, err := e.push()
	switch {
	case err != nil:
		return Delivery{}, err
	case ignored != "":
		return ignore("%s", ignored)
	}
	return Delivery{Pushes: []Push{p}}, nil
}
