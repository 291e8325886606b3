package releases

import (
	"context"
	"errors"
	"strings"

	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
)

// lookup is what the registry said of a release: its content, or why it
// could not say.
type lookup struct {
	res  release.Resolution
	fail *release.Failure
	kind registry.Kind    // what the content is; only an image deploys
	imgs []registry.Image // its platform images with their blobs, for sizes and downloads
}

// canResolve reports whether the registry of host is asked at all.
func (s Releases) canResolve(host string) bool {
	if s.Clients == nil {
		return false
	}
	_, declared, err := s.Clients.Pool.Client(host)
	return err == nil && (declared || s.ResolveUndeclared)
}

// lookup asks the registry what r's tag points at (HEAD), unless r has
// its digest, then what that content is (platforms, media type). It runs
// outside any transaction.
func (s Releases) lookup(ctx context.Context, r release.Release) lookup {
	if s.Clients == nil {
		return lookup{fail: &release.Failure{Cause: "no registry clients"}}
	}
	c, declared, err := s.Clients.Pool.Client(r.Registry)
	if err != nil {
		return failed(declared, err)
	}
	if !declared && !s.ResolveUndeclared {
		return lookup{fail: &release.Failure{Cause: "resolution on undeclared registries is off"}}
	}
	path := strings.TrimPrefix(r.Repository(), r.Registry+"/")
	digest := r.Digest
	if digest == "" {
		d, err := c.Resolve(ctx, path, r.Tag)
		if err != nil {
			return failed(declared, err)
		}
		digest = d.Digest
	}
	m, err := c.Inspect(ctx, path, digest)
	if err != nil {
		return failed(declared, err)
	}
	res := release.Resolution{Digest: digest, MediaType: m.MediaType}
	for _, img := range m.Platforms {
		res.Platforms = append(res.Platforms, img.Platform)
	}
	return lookup{res: res, kind: m.Kind, imgs: m.Platforms}
}

func failed(declared bool, err error) lookup {
	return lookup{fail: &release.Failure{Declared: declared, NotFound: errors.Is(err, registry.ErrNotFound),
		RetryAfter: registry.RetryAfter(err), Cause: err.Error()}}
}
