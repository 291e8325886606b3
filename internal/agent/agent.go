// Package agent simulates a fleet of devices against an Airlock server: it
// provisions them, then each polls its target state (If-None-Match, with
// jitter), "pulls" a new image after a short random delay, reports it
// running and healthy — or failed, for the tags it is told to fail — and
// keeps reporting metrics. `airlock agent` runs it; end-to-end tests run a
// fleet in-process with Start and wait on its Summary.
package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// Config describes a simulated fleet.
type Config struct {
	Server       string            // base URL of the Airlock server
	Token        string            // admin token, to provision devices and set their starting state
	Devices      int               // fleet size
	Image        string            // the image new devices start with
	App          string            // the app that runs Image (default "cache")
	Labels       map[string]string // labels of new devices (default fleet=sim)
	FailTags     []string          // tags devices fail to run
	Interval     time.Duration     // poll interval, ±20% jitter (default 5s)
	PullDelay    time.Duration     // longest simulated pull (default Interval, at most 2s)
	MetricsEvery time.Duration     // metrics report period (default 6 polls)
	KeysFile     string            // devices to reuse; new ones are added to it
	Client       *http.Client      // default: a client sized for the fleet
	Log          *slog.Logger      // default: discard
}

func (c *Config) defaults() error {
	switch {
	case c.Server == "":
		return errors.New("agent: no server URL")
	case c.Devices <= 0:
		return fmt.Errorf("agent: devices must be positive, got %d", c.Devices)
	}
	if _, err := imageref.Parse(c.Image); err != nil {
		return fmt.Errorf("agent: starting image: %w", err)
	}
	if c.App == "" {
		c.App = "cache"
	}
	if c.Labels == nil {
		c.Labels = map[string]string{"fleet": "sim"}
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.PullDelay <= 0 {
		c.PullDelay = min(c.Interval, 2*time.Second)
	}
	if c.MetricsEvery <= 0 {
		c.MetricsEvery = 6 * c.Interval
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: min(c.Devices, 1024), MaxIdleConnsPerHost: min(c.Devices, 1024), IdleConnTimeout: 90 * time.Second,
		}}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Fleet is a running simulated fleet.
type Fleet struct {
	cfg     Config
	api     *client
	devices []*device
	errors  atomic.Int64
	wg      sync.WaitGroup
}

// Credentials are a simulated device's uuid and key.
type Credentials struct {
	UUID string `json:"uuid"`
	Key  string `json:"api_key"`
}

// Start provisions the fleet (or reuses cfg.KeysFile) and starts every
// device. The devices run until ctx ends; Wait waits for them to stop.
func Start(ctx context.Context, cfg Config) (*Fleet, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	f := &Fleet{cfg: cfg, api: &client{base: cfg.Server, http: cfg.Client}}
	creds, err := f.provision(ctx)
	if err != nil {
		return nil, err
	}
	failTags := map[string]bool{}
	for _, t := range cfg.FailTags {
		failTags[t] = true
	}
	for _, c := range creds {
		d := &device{Credentials: c, fleet: f, failTags: failTags, apps: map[string]App{}, started: time.Now()}
		f.devices = append(f.devices, d)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			d.run(ctx)
		}()
	}
	return f, nil
}

// Devices returns the fleet's credentials, in provisioning order.
func (f *Fleet) Devices() []Credentials {
	out := make([]Credentials, len(f.devices))
	for i, d := range f.devices {
		out[i] = d.Credentials
	}
	return out
}

// Wait returns once every device has stopped (after Start's ctx ended).
func (f *Fleet) Wait() { f.wg.Wait() }

// WaitFor polls the summary until cond holds or ctx ends, and returns the
// last summary seen.
func (f *Fleet) WaitFor(ctx context.Context, cond func(Summary) bool) (Summary, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s := f.Summary()
		if cond(s) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, fmt.Errorf("fleet never got there (%s): %w", s, ctx.Err())
		case <-tick.C:
		}
	}
}

// Run starts the fleet, writes its summary to out until ctx ends (in place
// on a terminal, a line every few seconds otherwise), and stops cleanly.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	f, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	show := newLiveLine(out)
	tick := time.NewTicker(show.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			f.Wait()
			show.final(f.Summary().String())
			return nil
		case <-tick.C:
			show.update(f.Summary().String())
		}
	}
}
