// Package registry talks to OCI registries for Airlock: tag → digest by
// HEAD, what a manifest holds (platforms, sizes, artifact kind), tag lists,
// referrers and cosign tag-format attachments, and copying a release whole
// to a mirror. One Client per declared registry carries its credentials,
// timeouts and rate limit. It is built on go-containerregistry.
package registry

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/time/rate"
)

// Config describes one registry. Zero durations and sizes take the defaults.
type Config struct {
	Host     string // host[:port] as pushed to, e.g. "ghcr.io", "docker.io", "10.0.0.5:5000"
	Insecure bool   // plain HTTP (lab registries)
	Username string
	Password string // never logged: see LogValue

	Timeout     time.Duration // per metadata call (resolve, inspect, tags…); default 10s
	BlobTimeout time.Duration // per blob copied; default 15m

	RequestsPerSecond float64       // per-registry request rate; 0 means unlimited
	Burst             int           // default: the rate rounded up, at least 1
	MaxRetryAfter     time.Duration // longest 429 Retry-After waited out; default 10s
	Max429Retries     int           // 429s waited out per request; default 2

	CacheEntries int // manifests and configs kept by digest; default 512

	// Transport is the HTTP transport; default a clone of go-containerregistry's
	// with a 5s dial timeout.
	Transport http.RoundTripper
	// Wait sleeps for rate limits and Retry-After; default a timer. Tests
	// inject one to see the waits without spending them.
	Wait func(ctx context.Context, d time.Duration) error
}

// LogValue keeps the password out of every log line that prints a Config.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", c.Host), slog.Bool("insecure", c.Insecure),
		slog.Bool("credentials", c.Username != ""), slog.Float64("rps", c.RequestsPerSecond))
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.BlobTimeout, 15*time.Minute)
	def(&c.MaxRetryAfter, 10*time.Second)
	if c.Max429Retries <= 0 {
		c.Max429Retries = 2
	}
	if c.Burst <= 0 {
		c.Burst = max(1, int(c.RequestsPerSecond+0.999))
	}
	if c.CacheEntries <= 0 {
		c.CacheEntries = 512
	}
	if c.Wait == nil {
		c.Wait = sleep
	}
	if c.Transport == nil {
		t := remote.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		c.Transport = t
	}
	c.Host = strings.ToLower(c.Host)
	return c
}

// Client talks to one registry. It is safe for concurrent use.
type Client struct {
	cfg    Config
	opts   []remote.Option
	puller *remote.Puller
	pusher *remote.Pusher
	cache  *lru
}

// New makes the client for cfg.Host.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if _, err := name.NewRegistry(cfg.Host); err != nil || cfg.Host == "" {
		return nil, fmt.Errorf("registry host %q: invalid", cfg.Host)
	}
	lt := &limitTransport{next: cfg.Transport, maxWait: cfg.MaxRetryAfter, retries: cfg.Max429Retries,
		wait: cfg.Wait, now: time.Now, fallback: time.Second}
	if cfg.RequestsPerSecond > 0 {
		lt.limiter = rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), cfg.Burst)
	}
	var auth authn.Authenticator = authn.Anonymous
	if cfg.Username != "" || cfg.Password != "" {
		auth = &authn.Basic{Username: cfg.Username, Password: cfg.Password}
	}
	c := &Client{cfg: cfg, cache: newLRU(cfg.CacheEntries)}
	c.opts = []remote.Option{
		remote.WithTransport(lt), remote.WithAuth(auth), remote.WithUserAgent("airlock"),
		// Retries are ours: 429 in limitTransport, the rest by the caller's backoff.
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}), remote.WithJobs(4),
	}
	var err error
	if c.puller, err = remote.NewPuller(c.opts...); err != nil {
		return nil, err
	}
	if c.pusher, err = remote.NewPusher(c.opts...); err != nil {
		return nil, err
	}
	return c, nil
}

// Host is the registry this client talks to.
func (c *Client) Host() string { return c.cfg.Host }

func (c *Client) repository(repo string) (name.Repository, error) {
	var opts []name.Option
	if c.cfg.Insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.NewRepository(c.cfg.Host+"/"+repo, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q: %w", repo, err)
	}
	return r, nil
}

func (c *Client) digestRef(repo, digest string) (name.Digest, error) {
	r, err := c.repository(repo)
	if err != nil {
		return name.Digest{}, err
	}
	if _, err := v1.NewHash(digest); err != nil {
		return name.Digest{}, fmt.Errorf("digest %q: %w", digest, err)
	}
	return r.Digest(digest), nil
}

func (c *Client) tagRef(repo, tag string) (name.Tag, error) {
	r, err := c.repository(repo)
	if err != nil {
		return name.Tag{}, err
	}
	if _, err := name.NewTag("x:" + tag); err != nil {
		return name.Tag{}, fmt.Errorf("tag %q: %w", tag, err)
	}
	return r.Tag(tag), nil
}

// call bounds one metadata operation by the configured timeout.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.Timeout)
}
