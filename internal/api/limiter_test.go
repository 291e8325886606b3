package api

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterIsBounded(t *testing.T) {
	l := newLimiter(1)
	l.max = 3
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.wait(fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Second))
	}
	if l.size() != 3 {
		t.Fatalf("%d buckets, want the bound 3", l.size())
	}
	for _, k := range []string{"key7", "key8", "key9"} {
		if _, ok := l.buckets[k]; !ok {
			t.Errorf("%s, among the newest, was forgotten", k)
		}
	}
}

func TestLimiterForgetsIdleBuckets(t *testing.T) {
	l := newLimiter(1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.wait("old", t0)
	l.wait("new", t0.Add(11*time.Minute))
	if _, ok := l.buckets["old"]; ok || l.size() != 1 {
		t.Fatalf("buckets %v: want only the new one", l.buckets)
	}
}
