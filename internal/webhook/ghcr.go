package webhook

import (
	"net/http"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// ghPackage is the package of a GitHub package or registry_package event.
type ghPackage struct {
	Name        string `json:"name"`
	PackageType string `json:"package_type"`
	Owner       struct {
		Login string `json:"login"`
	} `json:"owner"`
	Version struct {
		Name      string    `json:"name"`
		CreatedAt timestamp `json:"created_at"`
		Container struct {
			Tag struct {
				Name   string `json:"name"`
				Digest string `json:"digest"`
			} `json:"tag"`
		} `json:"container_metadata"`
	} `json:"package_version"`
}

type ghPayload struct {
	Action          string     `json:"action"`
	Package         *ghPackage `json:"package"`
	RegistryPackage *ghPackage `json:"registry_package"`
	Sender          struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// decodeGHCR reads a GitHub package event. GitHub sends one per manifest:
// the index carries the tag, each architecture's manifest comes untagged.
func decodeGHCR(h http.Header, body []byte) (Delivery, error) {
	// The same hook also gets a ping on creation, and maybe other events.
	if ev := h.Get("X-GitHub-Event"); ev != "" && ev != "package" && ev != "registry_package" {
		return ignore("GitHub %q event is not a package event", ev)
	}
	var p ghPayload
	if err := decodeJSON(body, &p); err != nil {
		return Delivery{}, err
	}
	pkg := p.Package
	if pkg == nil {
		pkg = p.RegistryPackage
	}
	if pkg == nil {
		return Delivery{}, fail("no package")
	}
	tag := pkg.Version.Container.Tag
	switch {
	case p.Action != "published" && p.Action != "updated":
		return ignore("package action %q is not a publish", p.Action)
	case !strings.EqualFold(pkg.PackageType, "container"):
		return ignore("package type %q is not a container", pkg.PackageType)
	case tag.Name == "":
		return ignore("untagged manifest: one architecture of a multi-arch push")
	case pkg.Owner.Login == "" || pkg.Name == "":
		return Delivery{}, fail("no package owner or name")
	}
	digest := tag.Digest
	if digest == "" && imageref.ValidDigest(pkg.Version.Name) == nil {
		digest = pkg.Version.Name
	}
	// GitHub keeps the capitals of owners and packages; GHCR names are lowercase.
	path := strings.ToLower(pkg.Owner.Login + "/" + pkg.Name)
	ref, err := newRef("ghcr.io", path, tag.Name, digest)
	if err != nil {
		return Delivery{}, err
	}
	push := Push{
		DeliveryID: h.Get("X-GitHub-Delivery"),
		Ref:        ref,
		PushedAt:   time.Time(pkg.Version.CreatedAt),
		Pusher:     p.Sender.Login,
	}
	return Delivery{Pushes: []Push{push}}, nil
}
