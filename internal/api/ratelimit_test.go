package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/airlock-iot/airlock/internal/api"
	"github.com/airlock-iot/airlock/internal/apitest"
)

func TestWebhookRateLimit(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.API.SetRateLimits(api.RateLimits{WebhookPerSecond: 1, Loopback: true})
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
		s.API.SetRateLimits(api.RateLimits{WebhookPerSecond: 1})
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
		s.API.SetRateLimits(api.RateLimits{DevicePerSecond: 1, Loopback: true})
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
