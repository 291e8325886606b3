// Package leader elects one replica to run a job (the rollout monitor,
// notifications, and later the registry poller and copier) by a lease row
// in the database: whoever holds the unexpired lease leads, and renews it
// well before it runs out.
package leader

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Leases is the lease table; the store satisfies it.
type Leases interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Lease is this replica's claim on one job.
type Lease struct {
	db     Leases
	name   string
	holder string
	ttl    time.Duration
	log    *slog.Logger

	mu     sync.Mutex
	leader bool
}

// New returns a claim on the lease name for holder ("" for HolderID()),
// which lapses ttl after its last renewal.
func New(db Leases, name, holder string, ttl time.Duration, log *slog.Logger) *Lease {
	if holder == "" {
		holder = HolderID()
	}
	return &Lease{db: db, name: name, holder: holder, ttl: ttl, log: log}
}

// HolderID names this replica: its host name and a random suffix, so that
// two processes on one host are told apart.
func HolderID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// Holder is this replica's name in the lease.
func (l *Lease) Holder() string { return l.holder }

// TTL is how long leadership outlives its last renewal.
func (l *Lease) TTL() time.Duration { return l.ttl }

// Renew takes or renews the lease and reports whether this replica leads.
// A failure to reach the database counts as not leading: a replica that
// cannot renew has stepped down.
func (l *Lease) Renew(ctx context.Context) (bool, error) {
	leader, err := l.db.AcquireLease(ctx, l.name, l.holder, l.ttl)
	if err != nil {
		leader = false
	}
	l.set(leader)
	return leader, err
}

// Release steps down and gives the lease up, so that another replica need
// not wait for it to expire. It runs even when ctx has ended.
func (l *Lease) Release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.db.ReleaseLease(rctx, l.name, l.holder); err != nil {
		l.log.Warn("releasing a lease", "lease", l.name, "err", err)
	}
	l.set(false)
}

// Leader reports whether this replica led at the last renewal.
func (l *Lease) Leader() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.leader
}

func (l *Lease) set(leader bool) {
	l.mu.Lock()
	changed := l.leader != leader
	l.leader = leader
	l.mu.Unlock()
	if changed {
		l.log.Info("leadership", "lease", l.name, "leader", leader, "id", l.holder)
	}
}
