package devices

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/fleet"
)

// ImportLine is one NDJSON line of a bulk import.
type ImportLine struct {
	UUID         string            `json:"uuid"`
	Name         string            `json:"name"`
	Labels       map[string]string `json:"labels"`
	Architecture string            `json:"architecture"`
	Platform     string            `json:"platform"`     // OCI form; from architecture when not given
	TargetState  json.RawMessage   `json:"target_state"` // {"apps": …}
}

// ImportResult is one line of an import's answer: a device made, with its
// key shown this once, or the line that was refused and why.
type ImportResult struct {
	Line   int    `json:"line"`
	UUID   string `json:"uuid,omitempty"`
	APIKey string `json:"api_key,omitempty"`
	Error  string `json:"error,omitempty"`
	Field  string `json:"field,omitempty"`
}

const (
	// ImportChunk is how many lines one transaction writes: large enough
	// that a commit is rare, small enough that SQLite's one writer is
	// never held for long.
	ImportChunk = 2000
	// maxImportLine bounds one line of an import.
	maxImportLine = 1 << 20
)

// pending is a line waiting for its chunk to be written: a device, or
// the line's error, answered in its turn.
type pending struct {
	line int
	key  string
	dev  fleet.NewDevice
	fail ImportResult
}

// Import provisions the devices of r, one NDJSON line each, a chunk per
// transaction, and emits a result per line, in line order, as soon as its
// chunk commits. A bad line is reported and skipped; the others go on. It
// stops at the first error of the database, of r or of emit. Lines are
// read and checked while the chunk before them is written.
func (s Devices) Import(ctx context.Context, actor string, r io.Reader, emit func(ImportResult) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []pending, 1)
	var readErr error
	go func() {
		defer close(chunks)
		readErr = s.readChunks(ctx, r, chunks)
	}()
	for chunk := range chunks {
		if err := s.importChunk(ctx, actor, chunk, emit); err != nil {
			cancel()
			for range chunks { // the reader stops at its next chunk
			}
			return err
		}
	}
	return readErr
}

// readChunks parses the lines of r into chunks of ImportChunk lines.
func (s Devices) readChunks(ctx context.Context, r io.Reader, out chan<- []pending) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxImportLine)
	lp := lineParser{seen: map[string]bool{}, targets: map[string]map[string]airlock.AppSpec{}}
	var chunk []pending
	send := func() error {
		select {
		case out <- chunk:
			chunk = make([]pending, 0, ImportChunk)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	n := 0
	for sc.Scan() {
		if n++; len(sc.Bytes()) == 0 {
			continue
		}
		p, err := s.parseLine(n, sc.Bytes(), &lp)
		if err != nil {
			p = pending{line: n, fail: lineError(n, err)}
		}
		if chunk = append(chunk, p); len(chunk) == ImportChunk {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		chunk = append(chunk, pending{line: n + 1, fail: ImportResult{Line: n + 1,
			Error: fmt.Sprintf("line over %d bytes: the import stops here", maxImportLine)}})
	}
	if err := send(); err != nil {
		return err
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return nil
	}
	return sc.Err()
}

func lineError(n int, err error) ImportResult {
	var e *airlock.Error
	if errors.As(err, &e) {
		return ImportResult{Line: n, Error: e.Message, Field: e.Field}
	}
	return ImportResult{Line: n, Error: err.Error()}
}

// lineParser is what checking a line remembers of the lines before it.
type lineParser struct {
	seen    map[string]bool                       // uuids
	targets map[string]map[string]airlock.AppSpec // target states parsed, by their JSON: fleets share a few
}

// parseLine checks one line as a single provisioning would be checked.
func (s Devices) parseLine(n int, b []byte, lp *lineParser) (pending, error) {
	var in ImportLine
	if err := json.Unmarshal(b, &in); err != nil {
		return pending{}, airlock.Errorf(airlock.EINVALID, "not a JSON object: %v", err)
	}
	if in.UUID == "" {
		in.UUID = newUUID()
	}
	if err := validateDevice(Input{UUID: in.UUID, Name: in.Name, Labels: in.Labels, Architecture: in.Architecture}); err != nil {
		return pending{}, err
	}
	arch, plat, err := devicePlatform(in.Architecture, in.Platform)
	if err != nil {
		return pending{}, err
	}
	if lp.seen[in.UUID] {
		return pending{}, airlock.FieldErrorf("uuid", "%s is on an earlier line of this import", in.UUID)
	}
	lp.seen[in.UUID] = true
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	p := pending{line: n, key: s.newDeviceKey()}
	p.dev = fleet.NewDevice{Device: airlock.Device{UUID: in.UUID, Name: in.Name, Labels: in.Labels, Architecture: arch, Platform: plat},
		KeyHash: store.HashSecret(p.key)}
	if len(in.TargetState) > 0 && string(in.TargetState) != "null" {
		apps, err := lp.target(in.TargetState)
		if err != nil {
			return pending{}, withinTarget(err)
		}
		p.dev.Apps = apps
	}
	return p, nil
}

// target parses a target state {"apps": …}, once per distinct JSON text.
// Devices share the maps it returns, which nothing changes.
func (lp *lineParser) target(raw json.RawMessage) (map[string]airlock.AppSpec, error) {
	if apps, ok := lp.targets[string(raw)]; ok {
		return apps, nil
	}
	var ts struct {
		Apps map[string]json.RawMessage `json:"apps"`
	}
	if err := json.Unmarshal(raw, &ts); err != nil {
		return nil, airlock.FieldErrorf("target_state", "must be an object {\"apps\": …}")
	}
	apps, err := ParseApps(ts.Apps)
	if err != nil {
		return nil, err
	}
	if len(lp.targets) >= 1024 {
		clear(lp.targets)
	}
	lp.targets[string(raw)] = apps
	return apps, nil
}

func withinTarget(err error) error {
	var e *airlock.Error
	if errors.As(err, &e) && e.Field != "" {
		return airlock.FieldErrorf("target_state."+e.Field, "%s", e.Message)
	}
	return err
}

// importChunk writes one chunk in one transaction: images the gate refuses
// fail their lines, uuids that exist already fail theirs, the rest are
// made. Results, lines that did not parse included, are emitted in line
// order once the chunk has committed.
func (s Devices) importChunk(ctx context.Context, actor string, chunk []pending, emit func(ImportResult) error) error {
	if len(chunk) == 0 {
		return nil
	}
	out := make([]ImportResult, len(chunk))
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		refused, err := s.gateImages(ctx, tx, chunk)
		if err != nil {
			return err
		}
		devs := make([]fleet.NewDevice, 0, len(chunk))
		for i, p := range chunk {
			if out[i] = p.fail; p.fail.Error != "" {
				continue
			}
			out[i] = ImportResult{Line: p.line, UUID: p.dev.Device.UUID}
			if app, why := refusedApp(p.dev.Apps, refused); why != "" {
				out[i].Field, out[i].Error = "target_state.apps."+app+".image", why
				continue
			}
			devs = append(devs, p.dev)
		}
		inserted, err := fleet.ImportDevices(ctx, tx, devs)
		if err != nil {
			return err
		}
		for i, p := range chunk {
			switch {
			case out[i].Error != "":
			case inserted[p.dev.Device.UUID]:
				out[i].APIKey = p.key
			default:
				out[i].Field, out[i].Error = "uuid", "device "+p.dev.Device.UUID+" already exists"
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// refusedApp names the first app, by name, whose image the gate refused,
// with the gate's reason; "" when none was.
func refusedApp(apps map[string]airlock.AppSpec, refused map[string]string) (app, why string) {
	if len(refused) == 0 {
		return "", ""
	}
	for _, name := range slices.Sorted(maps.Keys(apps)) {
		if why, ok := refused[apps[name].Image()]; ok {
			return name, why
		}
	}
	return "", ""
}

// gateImages passes each distinct image of the chunk through the gate
// once, and returns the refused ones with the gate's message.
func (s Devices) gateImages(ctx context.Context, tx *store.Tx, chunk []pending) (map[string]string, error) {
	images := map[string]bool{}
	for _, p := range chunk {
		for _, app := range p.dev.Apps {
			images[app.Image()] = true
		}
	}
	refused := map[string]string{}
	for _, image := range slices.Sorted(maps.Keys(images)) {
		ref, err := imageref.Parse(image)
		if err != nil {
			return nil, err
		}
		dec, err := s.Gate(ctx, tx, ref)
		if err != nil {
			return nil, err
		}
		if !dec.Allowed {
			refused[image] = airlock.ErrorMessage(dec.Err)
		}
	}
	return refused, nil
}
