package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
	"github.com/airlock-iot/airlock/internal/config"
)

func TestWebhookRateLimit(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.API.SetRateLimits(config.RateLimits{WebhookPerSecond: 1, Loopback: true})
		var limited apitest.Response
		for range 5 {
			if r := s.Do("POST", hookPath, "", dockerHub("redis", "7")); r.Status == http.StatusTooManyRequests {
				limited = r
				break
			}
		}
		if limited.Status != http.StatusTooManyRequests {
			t.Fatal("5 quick deliveries at 1/s were never limited")
		}
		if secs, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || secs < 1 {
			t.Fatalf("Retry-After %q", limited.Header.Get("Retry-After"))
		}
		if limited.Map(t)["error"] != "Too many requests" {
			t.Fatalf("body %s", limited.Body)
		}
		// Admin calls are not limited by webhook traffic.
		s.Must(200, "GET", "/api/v1/images", nil)
	})
}

func TestLoopbackIsExemptUnlessAsked(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.API.SetRateLimits(config.RateLimits{WebhookPerSecond: 1})
		for i := range 5 {
			if r := s.Do("POST", hookPath, "", dockerHub("redis", "7")); r.Status == http.StatusTooManyRequests {
				t.Fatalf("delivery %d from loopback limited", i)
			}
		}
	})
}

func TestDeviceRateLimitIsPerKey(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		a, b := provision(t, s), provision(t, s)
		s.API.SetRateLimits(config.RateLimits{DevicePerSecond: 1, Loopback: true})
		limited := false
		for range 5 {
			if r := s.Do("GET", "/api/v1/devices/"+a.UUID+"/target-state", a.Key, nil); r.Status == http.StatusTooManyRequests {
				limited = r.Header.Get("Retry-After") != ""
				break
			}
		}
		if !limited {
			t.Fatal("5 quick polls at 1/s were never limited with a Retry-After")
		}
		if r := s.Do("GET", "/api/v1/devices/"+b.UUID+"/target-state", b.Key, nil); r.Status == http.StatusTooManyRequests {
			t.Fatal("device B limited by device A's polls")
		}
	})
}

// TestUnsignedWebhooksDoNotSpendTheSendersBudget: 30 unsigned calls from
// the address a registry delivers from must not stop its signed delivery.
func TestUnsignedWebhooksDoNotSpendTheSendersBudget(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.API.SetRateLimits(config.RateLimits{WebhookPerSecond: 1, Loopback: true})
		for i := range 30 {
			if r := s.Do("POST", "/api/v1/webhooks/docker-registry?token=wrong", "", dockerHub("redis", "7")); r.Status != http.StatusUnauthorized {
				t.Fatalf("unsigned call %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := s.Do("POST", hookPath, "", dockerHub("redis", "7")); r.Status == http.StatusTooManyRequests {
			t.Fatalf("signed delivery limited after unsigned calls: %s", r.Body)
		}
		if n, _ := s.API.LimiterSizes(); n != 1 {
			t.Fatalf("webhook limiter holds %d senders, want 1 (the signed one)", n)
		}
	})
}

// TestRandomDeviceKeysGrowNothing: requests with made-up keys are refused
// before the limiter sees them, so they leave no bucket and no memory. Not
// parallel: the heap is measured for the whole process.
func TestRandomDeviceKeysGrowNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		d := provision(t, s)
		s.API.SetRateLimits(config.RateLimits{DevicePerSecond: 5, Loopback: true})
		before := heapInUse()
		const workers, each = 8, 1500
		var wg sync.WaitGroup
		var unexpected atomic.Int64
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					key := fmt.Sprintf("dk_random-%d-%d-%d", w, i, rand.Int64())
					if r := s.Do("GET", "/api/v1/devices/"+d.UUID+"/target-state", key, nil); r.Status != http.StatusUnauthorized {
						unexpected.Add(1)
					}
				}
			})
		}
		wg.Wait()
		grew := int64(heapInUse()) - int64(before)
		t.Logf("%d random-key polls: heap in use grew %.1f MB", workers*each, float64(grew)/(1<<20))
		if unexpected.Load() > 0 {
			t.Errorf("%d random-key polls were not refused with 401", unexpected.Load())
		}
		if _, n := s.API.LimiterSizes(); n != 0 {
			t.Errorf("device limiter holds %d buckets for keys that do not exist", n)
		}
		if grew > 15<<20 {
			t.Errorf("heap grew %d bytes, want at most 15 MB", grew)
		}
		if r := s.Do("GET", "/api/v1/devices/"+d.UUID+"/target-state", d.Key, nil); r.Status != 200 {
			t.Errorf("the real device after the flood: %d", r.Status)
		}
	})
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
