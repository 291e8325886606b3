package bench

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats summarises one load run.
type Stats struct {
	Requests   int
	Errors     int
	Throughput float64 // requests a second
	P50        time.Duration
}

// request builds the i-th request of a run.
type request func(i int) (*http.Request, error)

// load sends requests from workers concurrent clients for d and measures
// each one. A response whose status is not want counts as an error.
func load(ctx context.Context, c *http.Client, workers int, d time.Duration, want int, next request) Stats {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(n.Add(1))
				t0 := time.Now()
				if !do(c, next, i, want) {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return summarise(slices.Concat(lat...), int(errs.Load()), time.Since(start))
}

func do(c *http.Client, next request, i, want int) bool {
	req, err := next(i)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == want
}

func summarise(lat []time.Duration, errs int, elapsed time.Duration) Stats {
	slices.Sort(lat)
	s := Stats{Requests: len(lat), Errors: errs}
	if len(lat) == 0 {
		return s
	}
	s.Throughput = float64(len(lat)) / elapsed.Seconds()
	s.P50 = lat[len(lat)/2]
	return s
}

// client is a keep-alive client able to hold a connection per worker.
func client(workers int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2, IdleConnTimeout: time.Minute}}
}
