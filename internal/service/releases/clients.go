package releases

import (
	"context"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
)

// Clients keeps a registry.Pool in step with the declared registries: each
// spelling of a declared host gets a client with its credentials and
// insecure flag.
type Clients struct {
	Pool *registry.Pool

	defaults registry.Config
	mu       sync.Mutex
	sync.Mutex
	declared map[string]clientKey
	polls    map[string]time.Duration // canonical host → poll interval, for the poller
	mirror   string                   // the mirror registry's host; "" when none is declared
}

// clientKey is what a declared client is made of, besides its host.
type clientKey struct {
	insecure           bool
	username, password string
}

// NewClients makes the pool; defaults are the timeouts and limits of every client.
func NewClients(defaults registry.Config) *Clients {
	return &Clients{Pool: registry.NewPool(defaults), defaults: defaults, declared: map[string]clientKey{}, polls: map[string]time.Duration{}}
}

// Sync reads the declared registries and makes the pool match them.
func (c *Clients) Sync(ctx context.Context, db *store.DB) error {
	regs, err := catalog.Registries(ctx, db)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	want := map[string]clientKey{}
	polls, mirror := map[string]time.Duration{}, ""
	for _, r := range regs {
		if r.Mirror {
			mirror = r.Host
		}
		polls[r.Host], _ = time.ParseDuration(r.PollInterval)
		for _, h := range append([]string{r.Host}, r.Aliases...) {
			want[h] = clientKey{r.Insecure, r.Username, r.Password}
		}
	}
	for h, cfg := range want {
		if old, ok := c.declared[h]; ok && old == cfg {
			continue // keep the client and its cache
		}
		d := c.defaults
		d.Host, d.Insecure, d.Username, d.Password = h, cfg.insecure, cfg.username, cfg.password
		if err := c.Pool.Declare(d); err != nil {
			return err
		}
	}
	for h := range c.declared {
		if _, ok := want[h]; !ok {
			c.Pool.Forget(h)
		}
	}
	c.declared, c.polls, c.mirror = want, polls, mirror
	return nil
}

// Mirror is the host of the registry declared as the mirror, "" if none.
func (c *Clients) Mirror() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mirror
}

// Polled returns the declared registries that are polled, with their intervals.
func (c *Clients) Polled() map[string]time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]time.Duration{}
	for h, d := range c.polls {
		if d > 0 {
			out[h] = d
		}
	}
	return out
}
