package registry

import (
	"strings"
	"sync"
)

// Pool holds one Client per declared registry and hands out anonymous
// clients for the others (the guide's Docker Hub flow, best effort).
type Pool struct {
	defaults Config // timeouts and limits for undeclared hosts; no credentials

	mu        sync.RWMutex
	declared  map[string]*Client
	anonymous map[string]*Client
}

// NewPool makes a pool whose undeclared hosts use defaults (its Host,
// Username, Password and Insecure are ignored).
func NewPool(defaults Config) *Pool {
	defaults.Host, defaults.Username, defaults.Password, defaults.Insecure = "", "", "", false
	return &Pool{defaults: defaults, declared: map[string]*Client{}, anonymous: map[string]*Client{}}
}

// Declare adds or replaces the client of cfg.Host, so changed credentials
// or limits take effect on the next call.
func (p *Pool) Declare(cfg Config) error {
	c, err := New(cfg)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.declared[poolKey(cfg.Host)] = c
	return nil
}

// Forget drops a declared registry.
func (p *Pool) Forget(host string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.declared, poolKey(host))
}

// Client returns the client for host and whether the registry is declared.
// An undeclared host gets an anonymous client with the pool's defaults.
func (p *Pool) Client(host string) (c *Client, declared bool, err error) {
	key := poolKey(host)
	p.mu.RLock()
	c, declared = p.declared[key]
	if !declared {
		c = p.anonymous[key]
	}
	p.mu.RUnlock()
	if c != nil {
		return c, declared, nil
	}
	cfg := p.defaults
	cfg.Host = host
	if c, err = New(cfg); err != nil {
		return nil, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.anonymous[key]; ok {
		return old, false, nil
	}
	p.anonymous[key] = c
	return c, false, nil
}

// poolKey folds Docker Hub's spellings and case into one key.
func poolKey(host string) string {
	host = strings.ToLower(host)
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		return "docker.io"
	}
	return host
}
