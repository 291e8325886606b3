// Package notify tells people when Airlock needs them or finished
// something: approval requests, and rollouts completed, failed or rolled
// back. A background worker reads the events table after a cursor of its own
// per receiver, so a webhook answer never waits for a notification, a
// receiver that is down gets it later, and nothing is sent twice after a
// restart: the cursor moves only once a notification is delivered (or
// given up after MaxAttempts, which is logged). With several replicas,
// the one holding the "notify" lease sends.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"strconv"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/leader"
	"github.com/airlock-iot/airlock/internal/store"
)

// Config says where notifications go and how hard to try. Zero knobs take defaults.
type Config struct {
	URLs      []string // JSON signed with Secret; Slack's form for slack+https:// and hooks.slack.com URLs
	Secret    string
	SMTPURL   string // smtp://[user:pass@]host:port or smtps://…; email goes out for approval requests
	EmailTo   []string
	EmailFrom string
	PublicURL string // base of the links in messages; none when empty

	MaxAttempts int           // per notification and receiver before giving up (10)
	Backoff     time.Duration // first retry delay, doubling (2s)
	MaxBackoff  time.Duration // longest retry delay (5m)
	Timeout     time.Duration // one attempt (15s)
	Poll        time.Duration // fallback look at the events table (2s)
	LeaseTTL    time.Duration // how long leadership outlives its last renewal (30s)
	Client      *http.Client
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	set(&c.Backoff, 2*time.Second)
	set(&c.MaxBackoff, 5*time.Minute)
	set(&c.Timeout, 15*time.Second)
	set(&c.Poll, 2*time.Second)
	set(&c.LeaseTTL, 30*time.Second)
	if c.Client == nil {
		c.Client = &http.Client{}
	}
}

// sink is one receiver of notifications.
type sink interface {
	name() string // for logs: never a secret
	key() string  // identifies the receiver across restarts
	wants(typ string) bool
	deliver(ctx context.Context, e airlock.Event, m message) error
}

type receiver struct {
	sink
	cursorKey string        // settings key of the last event handled
	wake      chan struct{} // a notable event committed here
}

const leaseName = "notify"

// Worker delivers notifications.
type Worker struct {
	db        *store.DB
	log       *slog.Logger
	cfg       Config
	receivers []*receiver
	lease     *leader.Lease
}

// New builds the worker and, for a receiver seen for the first time, sets
// its cursor at the latest event: notifications start from now, not from
// the history. It registers a commit listener, so call it before serving.
func New(ctx context.Context, db *store.DB, log *slog.Logger, cfg Config) (*Worker, error) {
	cfg.defaults()
	w := &Worker{db: db, log: log, cfg: cfg, lease: leader.New(db, leaseName, "", cfg.LeaseTTL, log)}
	var sinks []sink
	for i, u := range cfg.URLs {
		s, err := newWebhookSink(u, cfg.Secret, cfg.Client)
		if err != nil {
			return nil, fmt.Errorf("notification URL %d: %w", i+1, err)
		}
		sinks = append(sinks, s)
	}
	if cfg.SMTPURL != "" {
		s, err := newEmailSink(cfg.SMTPURL, cfg.EmailFrom, cfg.EmailTo)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if len(sinks) == 0 {
		return w, nil
	}
	last, err := db.LastEventID(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sinks {
		sum := sha256.Sum256([]byte(s.key()))
		r := &receiver{sink: s, cursorKey: "notify.cursor." + hex.EncodeToString(sum[:8]), wake: make(chan struct{}, 1)}
		if _, _, err := db.SettingOrInit(ctx, r.cursorKey, strconv.FormatInt(last, 10)); err != nil {
			return nil, err
		}
		w.receivers = append(w.receivers, r)
	}
	db.OnCommit(w.committed)
	return w, nil
}

// committed wakes the receivers an event is for. It runs on the committing
// goroutine, so it only ever does non-blocking sends.
func (w *Worker) committed(evs []airlock.Event) {
	for _, r := range w.receivers {
		for _, e := range evs {
			if r.wants(e.Type) {
				select {
				case r.wake <- struct{}{}:
				default:
				}
				break
			}
		}
	}
}

// Start runs the worker until ctx ends or stop is called; stop waits for
// it to finish and gives the lease up.
func (w *Worker) Start(ctx context.Context) (stop func()) {
	if len(w.receivers) == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.lead(ctx)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// lead holds the lease and runs the receivers while it does.
func (w *Worker) lead(ctx context.Context) {
	var c crew
	defer func() {
		c.stop()
		w.lease.Release(ctx)
	}()
	renew := time.NewTicker(w.cfg.LeaseTTL / 3)
	defer renew.Stop()
	for {
		leader, err := w.lease.Renew(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("notifications: renewing the lease", "err", err)
		}
		switch {
		case leader && c.cancel == nil:
			w.log.Info("notifications: this replica sends them", "receivers", len(w.receivers))
			c.start(ctx, w.receivers, w.run)
		case !leader && c.cancel != nil:
			w.log.Info("notifications: another replica sends them now")
			c.stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
		}
	}
}

// crew is the receivers' goroutines while this replica leads.
type crew struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

func (c *crew) start(ctx context.Context, rs []*receiver, run func(context.Context, *receiver)) {
	ctx, c.cancel = context.WithCancel(ctx)
	for _, r := range rs {
		c.wg.Go(func() { run(ctx, r) })
	}
}

func (c *crew) stop() {
	if c.cancel != nil {
		c.cancel()
		c.wg.Wait()
		c.cancel = nil
	}
}

// run delivers r's notifications in event order until ctx ends.
func (w *Worker) run(ctx context.Context, r *receiver) {
	cursor, err := w.cursor(ctx, r)
	if err != nil {
		return
	}
	f := w.db.Follow(cursor)
	poll := time.NewTicker(w.cfg.Poll)
	defer poll.Stop()
	const batch = 100
	for {
		evs, err := f.Next(ctx, batch)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("notifications: reading events", "err", err)
		}
		for _, e := range evs {
			if !r.wants(e.Type) {
				continue
			}
			if !w.deliver(ctx, r, e) {
				return // stopped: the cursor stays before e
			}
			w.saveCursor(ctx, r, e.ID)
		}
		if len(evs) > 0 {
			w.saveCursor(ctx, r, f.Cursor())
		}
		if len(evs) == batch {
			continue
		}
		var recheck <-chan time.Time
		if f.Holding() {
			recheck = time.After(100 * time.Millisecond)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-poll.C:
		case <-recheck:
		}
	}
}

// cursor reads r's cursor, waiting out a database that does not answer.
func (w *Worker) cursor(ctx context.Context, r *receiver) (int64, error) {
	for {
		v, ok, err := w.db.Setting(ctx, r.cursorKey)
		if err == nil && ok {
			return strconv.ParseInt(v, 10, 64)
		}
		if err == nil {
			err = errors.New("cursor missing")
		}
		w.log.Warn("notifications: reading the cursor", "receiver", r.name(), "err", err)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(w.cfg.Poll):
		}
	}
}

// saveCursor records that r is done with events up to id. It runs even as
// the worker stops: a notification delivered must not go out again.
func (w *Worker) saveCursor(ctx context.Context, r *receiver, id int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.db.SetSetting(ctx, r.cursorKey, strconv.FormatInt(id, 10)); err != nil {
		w.log.Error("notifications: saving the cursor; the last notification may go out again", "receiver", r.name(), "event_id", id, "err", err)
	}
}

// deliver sends e to r, retrying with exponential backoff. It reports
// false if ctx ended before an attempt succeeded; giving up after
// MaxAttempts counts as done.
func (w *Worker) deliver(ctx context.Context, r *receiver, e airlock.Event) bool {
	m := describe(e, w.cfg.PublicURL)
	delay := w.cfg.Backoff
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return false
		}
		// An attempt under way is finished even when the worker stops: the
		// receiver may already have the notification, and only an answered
		// attempt moves the cursor, so cutting it off would send it twice.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.Timeout)
		err := r.deliver(actx, e, m)
		cancel()
		switch {
		case err == nil:
			w.log.Info("notification sent", "receiver", r.name(), "event_id", e.ID, "type", e.Type, "attempt", attempt)
			return true
		case ctx.Err() != nil:
			return false
		case attempt >= w.cfg.MaxAttempts:
			w.log.Error("notification given up", "receiver", r.name(), "event_id", e.ID, "type", e.Type, "attempts", attempt, "err", err)
			return true
		}
		w.log.Warn("notification failed; retrying", "receiver", r.name(), "event_id", e.ID, "attempt", attempt, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(delay):
		}
		delay = min(2*delay, w.cfg.MaxBackoff)
	}
}
