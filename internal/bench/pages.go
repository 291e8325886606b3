package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// pageReads is how many reads of a page make one round's median.
const pageReads = 20

// benchPages reads a page of 50 devices from the middle of the fleet over
// HTTP, by key (?after=) and by offset, alternating.
func benchPages(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	mid := cfg.Devices / 2
	var page struct {
		Items []struct {
			UUID string `json:"uuid"`
		} `json:"items"`
	}
	if err := e.getJSON(ctx, fmt.Sprintf("/api/v1/devices?limit=1&offset=%d", mid), &page); err != nil {
		return nil, err
	}
	if len(page.Items) != 1 {
		return nil, fmt.Errorf("no device at offset %d", mid)
	}
	read := func(path string) func() (float64, error) {
		return func() (float64, error) { return e.pageMedian(ctx, path) }
	}
	m, err := alternate(e, "deep pages", cfg.Rounds, read(fmt.Sprintf("/api/v1/devices?limit=50&offset=%d", mid)),
		read("/api/v1/devices?limit=50&after="+page.Items[0].UUID))
	if err != nil {
		return nil, err
	}
	return []Row{
		row(fmt.Sprintf("page of 50 devices, ?offset=%d", mid), unitMS, "< 50 ms", m[0]),
		row(fmt.Sprintf("page of 50 devices, ?after= the %dth", mid), unitMS, "< 50 ms", m[1]),
	}, nil
}

// pageMedian is the median time of pageReads reads of path, in ms.
func (e *env) pageMedian(ctx context.Context, path string) (float64, error) {
	times := make([]float64, pageReads)
	for i := range times {
		t0 := time.Now()
		if err := e.getJSON(ctx, path, nil); err != nil {
			return 0, err
		}
		times[i] = since(t0)
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// getJSON reads an admin API resource into v (nil: reads and drops it).
func (e *env) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", e.url+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: status %d %.300s %v", path, resp.StatusCode, b, err)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}
