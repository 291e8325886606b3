package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fleet is a set of provisioned devices whose keys the bench knows.
type fleet struct {
	uuids []string
	keys  []string
	etags []string // each device's target-state ETag, once firstPolls has run
}

// fleetRepo is the repository every device of the big fleet runs as app
// "web"; the rollout scenarios push its tags.
const fleetRepo = "bench/fleet"

func fleetImage(tag int) string { return fmt.Sprintf("docker.io/%s:%d", fleetRepo, tag) }

// importChunk is how many lines a bulk import request carries for a fleet of n.
func importChunk(n int) int { return min(20_000, max(1_000, n/10)) }

// importFleet provisions n devices through the bulk import endpoint, a
// chunk a request, each running app "web" on image, and returns each
// request's rate in devices a second.
func (e *env) importFleet(ctx context.Context, prefix string, n int, image string) (fleet, []float64, error) {
	f := fleet{uuids: make([]string, 0, n), keys: make([]string, 0, n)}
	var rates []float64
	chunk := importChunk(n)
	for from := 0; from < n; from += chunk {
		to := min(n, from+chunk)
		body := importBody(prefix, from, to, image)
		t0 := time.Now()
		keys, err := e.importLines(ctx, body)
		if err != nil {
			return f, rates, fmt.Errorf("import %s %d–%d: %w", prefix, from, to, err)
		}
		rates = append(rates, float64(to-from)/time.Since(t0).Seconds())
		if len(keys) != to-from {
			return f, rates, fmt.Errorf("import %s %d–%d: %d answers", prefix, from, to, len(keys))
		}
		for _, k := range keys {
			f.uuids, f.keys = append(f.uuids, k.UUID), append(f.keys, k.APIKey)
		}
		if n > 100_000 && to%100_000 == 0 {
			e.logf("  imported %d of %d devices", to, n)
		}
	}
	e.devices += n
	return f, rates, nil
}

func importBody(prefix string, from, to int, image string) []byte {
	var b bytes.Buffer
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, `{"uuid":"%s-%07d","name":"%s %d","labels":{"fleet":%q,"site":"s%d"},`+
			`"target_state":{"apps":{"web":{"image":%q}}}}`+"\n", prefix, i, prefix, i, prefix, i%50, image)
	}
	return b.Bytes()
}

type importAnswer struct {
	UUID   string `json:"uuid"`
	APIKey string `json:"api_key"`
	Error  string `json:"error"`
}

// importLines posts one import request and reads its answers.
func (e *env) importLines(ctx context.Context, body []byte) ([]importAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", e.url+"/api/v1/devices/import", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := e.slow.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, b)
	}
	var out []importAnswer
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a importAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.APIKey == "" {
			return out, fmt.Errorf("answer %.300q: %v %s", sc.Text(), err, a.Error)
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

// firstPolls polls every device of f once, workers at a time, and keeps
// its ETag, so that the later polls can be conditional.
func (e *env) firstPolls(ctx context.Context, f *fleet, workers int) error {
	f.etags = make([]string, len(f.uuids))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(f.uuids) && errs[w] == nil; i = int(next.Add(1)) - 1 {
				f.etags[i], errs[w] = e.etag(ctx, f, i)
				if n := len(f.uuids); n > 100_000 && i%100_000 == 0 && i > 0 {
					e.logf("  polled %d of %d devices once", i, n)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// etag fetches device i's current ETag.
func (e *env) etag(ctx context.Context, f *fleet, i int) (string, error) {
	resp, err := e.client.Do(e.devicePoll(ctx, e.url, f, i, ""))
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		return "", fmt.Errorf("poll %s: status %d, ETag %q", f.uuids[i], resp.StatusCode, resp.Header.Get("ETag"))
	}
	return resp.Header.Get("ETag"), nil
}

// devicePoll is device i's target-state request, conditional on etag if any.
func (e *env) devicePoll(ctx context.Context, base string, f *fleet, i int, etag string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/devices/"+f.uuids[i]+"/target-state", nil)
	req.Header.Set("Authorization", "Bearer "+f.keys[i])
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	return req
}

// patchState is device i's state report of app "web" running image healthily.
func (e *env) patchState(ctx context.Context, f *fleet, i int, image string) *http.Request {
	body := `{"apps":{"web":{"image":"` + image + `","status":"running","healthy":true}},` +
		`"metrics":{"cpu_percent":12.5,"memory_percent":40.1,"uptime_seconds":3600}}`
	req, _ := http.NewRequestWithContext(ctx, "PATCH", e.url+"/api/v1/devices/"+f.uuids[i]+"/state", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.keys[i])
	return req
}
