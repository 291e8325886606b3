// Package fleetapi serves the fleet-sized device and rollout routes: bulk
// provisioning and the lists that page by key. The api package registers
// them in its route table, with their authentication.
package fleetapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/service/devices"
)

// MaxImportBody bounds an import's body.
const MaxImportBody = 64 << 20

// importDeadline is how long one import may read and answer: 64 MiB at the
// slowest rate an import is expected to run.
const importDeadline = 10 * time.Minute

// Import serves POST /api/v1/devices/import: NDJSON in, NDJSON out, a line
// of answer per line of body (see devices.Import). The answer streams while
// the body is still read. Once it has begun, an error that stops the import
// is its last line, {"error": …}, since the status has been sent.
func Import(w http.ResponseWriter, r *http.Request, f devices.Devices, actor string) error {
	rc := http.NewResponseController(w)
	// An HTTP/1 handler may otherwise not read the body once it has answered.
	_ = rc.EnableFullDuplex()
	_ = rc.SetReadDeadline(time.Now().Add(importDeadline))
	_ = rc.SetWriteDeadline(time.Now().Add(importDeadline))
	body := http.MaxBytesReader(w, r.Body, MaxImportBody)
	out := &ndjson{w: w}
	err := f.Import(r.Context(), actor, body, func(res devices.ImportResult) error { return out.write(res) })
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = airlock.Errorf(airlock.ETOOLARGE, "body over %d MiB: import the rest in another request", MaxImportBody>>20)
	}
	if err != nil && !out.started {
		return err
	}
	if err != nil {
		out.write(map[string]string{"error": airlock.ErrorMessage(err)})
	}
	return out.flush()
}

// ndjson writes one JSON value a line, starting the answer on the first.
type ndjson struct {
	w       http.ResponseWriter
	bw      *bufio.Writer
	enc     *json.Encoder
	started bool
}

func (n *ndjson) write(v any) error {
	if !n.started {
		n.w.Header().Set("Content-Type", "application/x-ndjson")
		n.w.Header().Set("Cache-Control", "no-store") // it carries keys
		n.w.WriteHeader(http.StatusOK)
		n.bw = bufio.NewWriterSize(n.w, 32<<10)
		n.enc = json.NewEncoder(n.bw)
		n.started = true
	}
	if err := n.enc.Encode(v); err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	return nil
}

func (n *ndjson) flush() error {
	if !n.started { // an empty body: nothing to answer
		n.w.WriteHeader(http.StatusOK)
		return nil
	}
	return n.bw.Flush()
}
