package devices

import (
	"context"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
	releasedb "github.com/airlock-iot/airlock/internal/store/releases"
)

// Group commit of reports: a fleet reports every few seconds, and one
// transaction per report made the commit (a WAL flush, round trips) the
// limit. A request queues its report and waits; a writer takes everything
// waiting, up to maxReportBatch, and stores it in one transaction of two
// statements. Each request is answered only after that commit, so a 2xx is
// never given for a report that is not stored.
const (
	maxReportBatch = 500
	// reportQueueLen bounds the reports waiting for one writer; past it a
	// device is told to come back (503, Retry-After) rather than pile up.
	reportQueueLen = 4096
	// postgresReportWriters write at once on PostgreSQL, so one commit's
	// wait overlaps another's; more made smaller batches and cost more CPU
	// a report (issue 20). SQLite has one writer connection, so one there.
	postgresReportWriters = 2
)

// ReportQueue is the shared queue of reports. Each writer has its own
// lane, and a device always reports through the same one, so two batches
// never lock the same device. A lane's writer runs only while it has work:
// there is nothing to start or stop. The zero value is ready.
type ReportQueue struct {
	once  sync.Once
	seed  maphash.Seed
	lanes []reportLane
}

type reportLane struct {
	queue   chan *queuedReport
	running atomic.Bool
}

type queuedReport struct {
	fleet.QueuedReport
	done chan error // buffered: the writer never waits for the request
}

// errReportsBusy answers a report when its lane is full.
var errReportsBusy = airlock.Errorf(airlock.EUNAVAILABLE, "too many reports waiting to be stored; retry shortly")

// save queues the report and waits for the commit that stores it.
func (q *ReportQueue) save(s Devices, uuid string, r airlock.DeviceReport) error {
	q.once.Do(func() {
		n := 1
		if s.DB.Engine == store.Postgres {
			n = postgresReportWriters
		}
		q.seed, q.lanes = maphash.MakeSeed(), make([]reportLane, n)
		for i := range q.lanes {
			q.lanes[i].queue = make(chan *queuedReport, reportQueueLen)
		}
	})
	lane := &q.lanes[maphash.String(q.seed, uuid)%uint64(len(q.lanes))]
	p := &queuedReport{QueuedReport: fleet.QueuedReport{UUID: uuid, Report: r}, done: make(chan error, 1)}
	select {
	case lane.queue <- p:
	default:
		return errReportsBusy
	}
	if lane.running.CompareAndSwap(false, true) {
		go lane.write(s)
	}
	return <-p.done
}

// write stores batches until the lane is empty. A report queued while the
// writer decides to stop is seen by the check after running is cleared, or
// its sender starts a writer itself.
func (l *reportLane) write(s Devices) {
	batch := make([]*queuedReport, 0, maxReportBatch)
	for {
		batch = batch[:0]
		runtime.Gosched() // let the requests already running queue their reports too
	take:
		for len(batch) < maxReportBatch {
			select {
			case p := <-l.queue:
				batch = append(batch, p)
			default:
				break take
			}
		}
		if len(batch) > 0 {
			s.storeReports(batch)
			continue
		}
		l.running.Store(false)
		if len(l.queue) == 0 || !l.running.CompareAndSwap(false, true) {
			return
		}
	}
}

// storeReports writes a batch in one transaction and answers each report:
// a device deleted meanwhile gets its 404, the others their success. When
// the batch fails (a deadlock with another writer, say), each report is
// tried alone, so one bad row fails only its own request; when the
// database is unavailable, all fail at once.
func (s Devices) storeReports(batch []*queuedReport) {
	ctx := context.Background() // the transaction has its own deadline
	reports := make([]fleet.QueuedReport, len(batch))
	for i, p := range batch {
		reports[i] = p.QueuedReport
	}
	var found map[string]bool
	err := s.DB.InTx(ctx, "devices", func(tx *store.Tx) error {
		var err error
		found, err = fleet.SaveReports(ctx, tx, reports)
		return err
	})
	if err != nil && len(batch) > 1 && s.Log != nil {
		s.Log.Warn("storing a batch of reports", "reports", len(batch), "err", err)
	}
	for _, p := range batch {
		switch {
		case err == nil && found[p.UUID]:
			p.done <- nil
		case err == nil:
			p.done <- airlock.Errorf(airlock.ENOTFOUND, "device %s not found", p.UUID)
		case len(batch) == 1 || airlock.ErrorCode(err) == airlock.EUNAVAILABLE:
			p.done <- err
		default:
			p.done <- s.storeReport(ctx, p.UUID, p.Report)
		}
	}
}

// storeReport writes one report in its own transaction.
func (s Devices) storeReport(ctx context.Context, uuid string, r airlock.DeviceReport) error {
	return s.DB.InTx(ctx, "device:"+uuid, func(tx *store.Tx) error {
		if r.Platform != "" {
			if err := releasedb.SetDevicePlatform(ctx, tx, uuid, r.Platform); err != nil {
				return err
			}
		}
		return fleet.SaveReport(ctx, tx, uuid, r)
	})
}
