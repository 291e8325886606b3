package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Repo is one repository on one registry.
type Repo struct {
	Client *Client
	Name   string // repository path, e.g. "library/redis"
}

// Progress of a Copy. Blobs the mirror already had (or mounted from
// another of its repositories) count as done without being copied.
type Progress struct {
	BlobsDone      int   `json:"blobs_done"`
	BlobsTotal     int   `json:"blobs_total"`
	BytesDone      int64 `json:"bytes_done"`
	BytesTotal     int64 `json:"bytes_total"`
	BytesCopied    int64 `json:"bytes_copied"` // bytes actually sent to the mirror
	ManifestsDone  int   `json:"manifests_done"`
	ManifestsTotal int   `json:"manifests_total"`
}

// MirrorRepository is where a mirror keeps the copy of sourceHost/repository:
// "<source host with ':' as '-'>/<repository>". Devices are then sent
// MirrorPath's reference with the same digest. Docker Hub's spellings
// become docker.io and its official images keep library/.
func MirrorRepository(sourceHost, repository string) (string, error) {
	host := strings.ToLower(sourceHost)
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		host = "docker.io"
	}
	if host == "docker.io" && !strings.Contains(repository, "/") {
		repository = "library/" + repository
	}
	path := strings.ReplaceAll(host, ":", "-") + "/" + repository
	if _, err := name.NewRepository("mirror.invalid/"+path, name.StrictValidation); err != nil {
		return "", fmt.Errorf("mirror path for %s/%s: %w", sourceHost, repository, err)
	}
	return path, nil
}

// MirrorPath is the full repository on the mirror:
// <mirror host>/<source host with ':' as '-'>/<repository>,
// e.g. mirror.lan:5000/ghcr.io/acme/agent or mirror.lan/10.0.0.5-5000/app.
func MirrorPath(mirrorHost, sourceHost, repository string) (string, error) {
	path, err := MirrorRepository(sourceHost, repository)
	if err != nil {
		return "", err
	}
	return strings.ToLower(mirrorHost) + "/" + path, nil
}

// Copy copies the release under digest from src to dst whole: every
// manifest of it (an index and its platform manifests), every blob, the
// cosign tag-format attachments (sha256-<hex>.sig|.att|.sbom) and the
// referrers of digest, then points tag (if not empty) at it. Blobs the
// mirror has are skipped and, within one registry, mounted rather than
// sent. progress, if not nil, is called after each blob and manifest.
func Copy(ctx context.Context, src, dst Repo, digest, tag string, progress func(Progress)) error {
	plan, err := planCopy(ctx, src, digest, tag)
	if err != nil {
		return src.Client.fail("copy", src.Name, err)
	}
	pusher, err := remote.NewPusher(dst.Client.opts...) // fresh: it remembers what it uploaded
	if err != nil {
		return err
	}
	r := &reporter{fn: progress, p: Progress{BlobsTotal: len(plan.blobs), BytesTotal: plan.bytes,
		ManifestsTotal: len(plan.manifests)}}
	r.report(func(*Progress) {})
	if err := copyBlobs(ctx, src, dst, pusher, plan.blobs, r); err != nil {
		return dst.Client.fail("copy", dst.Name, err)
	}
	if err := putManifests(ctx, dst, pusher, plan, r); err != nil {
		return dst.Client.fail("copy", dst.Name, err)
	}
	return nil
}

// copyPlan is everything one Copy writes, in a safe order: blobs, then
// manifests children first, then tags.
type copyPlan struct {
	manifests []*manifest
	blobs     []rawDescriptor
	bytes     int64
	tags      map[string]*manifest
	seen      map[string]bool
}

func planCopy(ctx context.Context, src Repo, digest, tag string) (*copyPlan, error) {
	p := &copyPlan{tags: map[string]*manifest{}, seen: map[string]bool{}}
	top, err := p.visit(ctx, src, digest)
	if err != nil {
		return nil, err
	}
	if tag != "" {
		p.tags[tag] = top
	}
	for _, suffix := range []string{"sig", "att", "sbom"} {
		t := AttachmentTag(digest, suffix)
		d, err := src.Client.Resolve(ctx, src.Name, t)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if p.tags[t], err = p.visit(ctx, src, d.Digest); err != nil {
			return nil, err
		}
	}
	refs, err := src.Client.Referrers(ctx, src.Name, digest)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	for _, d := range refs {
		if _, err := p.visit(ctx, src, d.Digest); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// visit adds a manifest, its children and its blobs, children first.
func (p *copyPlan) visit(ctx context.Context, src Repo, digest string) (*manifest, error) {
	callCtx, cancel := src.Client.call(ctx)
	m, err := src.Client.manifest(callCtx, src.Name, digest)
	cancel()
	if err != nil || p.seen[digest] {
		return m, err
	}
	p.seen[digest] = true
	for _, child := range m.Manifests {
		if _, err := p.visit(ctx, src, child.Digest); err != nil {
			return nil, err
		}
	}
	blobs := m.Layers
	if m.Config != nil {
		blobs = append([]rawDescriptor{*m.Config}, blobs...)
	}
	for _, b := range blobs {
		if !p.seen[b.Digest] {
			p.seen[b.Digest] = true
			p.blobs = append(p.blobs, b)
			p.bytes += b.Size
		}
	}
	p.manifests = append(p.manifests, m)
	return m, nil
}

func copyBlobs(ctx context.Context, src, dst Repo, pusher *remote.Pusher, blobs []rawDescriptor, r *reporter) error {
	repo, err := dst.Client.repository(dst.Name)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, b := range blobs {
		g.Go(func() error {
			copied, err := copyBlob(ctx, src, repo, pusher, b, dst.Client.cfg.BlobTimeout)
			if err != nil {
				return fmt.Errorf("blob %s: %w", b.Digest, err)
			}
			r.report(func(p *Progress) {
				p.BlobsDone++
				p.BytesDone += b.Size
				p.BytesCopied += copied
			})
			return nil
		})
	}
	return g.Wait()
}

// copyBlob uploads one blob unless dst has it, and says how many bytes it
// sent: go-containerregistry reads the source only when it must upload.
func copyBlob(ctx context.Context, src Repo, dst name.Repository, pusher *remote.Pusher, b rawDescriptor, timeout time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ref, err := src.Client.digestRef(src.Name, b.Digest)
	if err != nil {
		return 0, err
	}
	l, err := src.Client.puller.Layer(ctx, ref)
	if err != nil {
		return 0, err
	}
	counted := &countingLayer{Layer: l, mediaType: types.MediaType(b.MediaType), size: b.Size}
	if ml, ok := l.(*remote.MountableLayer); ok {
		counted.Layer = ml.Layer
		l = &remote.MountableLayer{Layer: counted, Reference: ml.Reference}
	} else {
		l = counted
	}
	err = pusher.Upload(ctx, dst, l)
	return counted.n.Load(), err
}

// countingLayer counts the compressed bytes read from the source and
// carries the media type and size the manifest gives the blob (so no HEAD
// of the source is needed to learn them).
type countingLayer struct {
	v1.Layer
	mediaType types.MediaType
	size      int64
	n         atomic.Int64
}

func (l *countingLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }
func (l *countingLayer) Size() (int64, error)                { return l.size, nil }

func (l *countingLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, n: &l.n}, nil
}

type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.n.Add(int64(n))
	return n, err
}

// putManifests writes every manifest by digest, children first, then the tags.
func putManifests(ctx context.Context, dst Repo, pusher *remote.Pusher, plan *copyPlan, r *reporter) error {
	ctx, cancel := dst.Client.call(ctx)
	defer cancel()
	for _, m := range plan.manifests {
		ref, err := dst.Client.digestRef(dst.Name, m.Digest)
		if err != nil {
			return err
		}
		if err := pusher.Put(ctx, ref, rawManifest{m}); err != nil {
			return fmt.Errorf("manifest %s: %w", m.Digest, err)
		}
		r.report(func(p *Progress) { p.ManifestsDone++ })
	}
	for tag, m := range plan.tags {
		ref, err := dst.Client.tagRef(dst.Name, tag)
		if err != nil {
			return err
		}
		if err := pusher.Put(ctx, ref, rawManifest{m}); err != nil {
			return fmt.Errorf("tag %s: %w", tag, err)
		}
	}
	return nil
}

// rawManifest hands go-containerregistry the exact bytes, so the digest
// on the mirror is the digest upstream.
type rawManifest struct{ m *manifest }

func (r rawManifest) RawManifest() ([]byte, error)        { return r.m.Raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.MediaType(r.m.MediaType), nil }

// reporter serialises progress updates from the blob workers.
type reporter struct {
	mu sync.Mutex
	p  Progress
	fn func(Progress)
}

func (r *reporter) report(update func(*Progress)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	update(&r.p)
	if r.fn != nil {
		r.fn(r.p)
	}
}

// Verify checks that dst holds the release under digest: a HEAD of it and
// of each manifest it lists. It fails with ErrNotFound if any is missing.
func Verify(ctx context.Context, dst Repo, digest string) error {
	c := dst.Client
	ctx, cancel := c.call(ctx)
	defer cancel()
	if err := c.head(ctx, dst.Name, digest); err != nil {
		return c.fail("verify", dst.Name, err)
	}
	m, err := c.manifest(ctx, dst.Name, digest)
	if err != nil {
		return c.fail("verify", dst.Name, err)
	}
	for _, child := range m.Manifests {
		if err := c.head(ctx, dst.Name, child.Digest); err != nil {
			return c.fail("verify", dst.Name, fmt.Errorf("manifest %s: %w", child.Digest, err))
		}
	}
	return nil
}

func (c *Client) head(ctx context.Context, repo, digest string) error {
	ref, err := c.digestRef(repo, digest)
	if err != nil {
		return err
	}
	_, err = c.puller.Head(ctx, ref)
	return err
}
