package api

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const adminToken = "alk_stream-test-admin"

// A quiet stream gets heartbeats, and outlives the server's WriteTimeout
// (60s in serve; 300ms here): each write gets a deadline of its own.
func TestStreamHeartbeatsOutliveWriteTimeout(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	if _, err := s.svc.Bootstrap(context.Background(), adminToken); err != nil {
		t.Fatal(err)
	}
	s.heartbeat = 50 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, WriteTimeout: 300 * time.Millisecond}
	go srv.Serve(ln)
	t.Cleanup(func() { s.Close(); srv.Close() })

	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	began, pings := time.Now(), 0
	for time.Since(began) < time.Second {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %s, %d heartbeats: %v", time.Since(began), pings, err)
		}
		if strings.HasPrefix(line, ": ping") {
			pings++
		}
	}
	if pings < 5 {
		t.Fatalf("%d heartbeats in a second", pings)
	}
}
