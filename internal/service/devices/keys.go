package devices

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/gate"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
)

// Devices are the device use cases over one database.
type Devices struct {
	DB           *store.DB
	Log          *slog.Logger
	OfflineAfter time.Duration
	Seen         *SeenBatch   // shared by every call, so that sightings gather
	Reports      *ReportQueue // shared, so that reports commit together; nil writes each alone
	// NewSecret makes a random secret with a prefix that says what it is.
	NewSecret func(prefix string, n int) string
	// Gate decides whether an image may be deployed, as for a push (Import).
	Gate func(ctx context.Context, tx *store.Tx, ref imageref.Ref) (gate.Decision, error)
}

// Authenticate checks that key belongs to the device uuid — a device
// key speaks only for its own device — and notes that the device was seen.
// The session it returns carries the device's target-state version, so a
// poll that changed nothing is answered without another read.
func (s Devices) Authenticate(ctx context.Context, uuid, key string) (airlock.DeviceSession, error) {
	if key == "" {
		return airlock.DeviceSession{}, airlock.Errorf(airlock.EUNAUTHORIZED, "missing device key")
	}
	sess, err := s.DB.DeviceByKey(ctx, key)
	if airlock.ErrorCode(err) == airlock.ENOTFOUND {
		return sess, airlock.Errorf(airlock.EUNAUTHORIZED, "invalid device key")
	}
	if err != nil {
		return sess, err
	}
	if sess.UUID != uuid {
		return airlock.DeviceSession{}, airlock.Errorf(airlock.EFORBIDDEN, "this key belongs to another device")
	}
	s.markSeen(sess)
	return sess, nil
}

// offlineAfter is how long an unseen device still counts as online.
func (s Devices) offlineAfter() time.Duration {
	if s.OfflineAfter > 0 {
		return s.OfflineAfter
	}
	return 5 * time.Minute
}

// online reports whether a device last seen at seen counts as online now.
func (s Devices) online(seen *time.Time) bool {
	return seen != nil && s.DB.Now().Sub(*seen) < s.offlineAfter()
}

// seenFlushDelay is how long sightings gather before one write records them.
const seenFlushDelay = 500 * time.Millisecond

// SeenBatch gathers the devices whose last_seen_at is stale, so that polls
// stay reads: a device's sighting is written at most once per a fifth of
// the offline threshold, and many devices' in one statement, off the
// request path. Every replica decides from the last_seen_at it just read,
// so several replicas need no shared memory. The zero value is ready.
type SeenBatch struct {
	mu      sync.Mutex
	pending map[string]struct{}
}

func (s Devices) markSeen(sess airlock.DeviceSession) {
	if sess.LastSeenAt != nil && s.DB.Now().Sub(*sess.LastSeenAt) < s.offlineAfter()/5 {
		return
	}
	b := s.Seen
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.pending = map[string]struct{}{}
		time.AfterFunc(seenFlushDelay, s.flushSeen)
	}
	b.pending[sess.UUID] = struct{}{}
}

func (s Devices) flushSeen() {
	b := s.Seen
	b.mu.Lock()
	uuids := make([]string, 0, len(b.pending))
	for u := range b.pending {
		uuids = append(uuids, u)
	}
	b.pending = nil
	b.mu.Unlock()
	slices.Sort(uuids) // one lock order for every replica's flush
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.DB.TouchDevices(ctx, uuids, s.DB.Now()); err != nil && s.Log != nil {
		s.Log.Warn("recording devices seen", "devices", len(uuids), "err", err)
	}
}
